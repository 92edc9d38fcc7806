package ai.phoneagent.outbound;

import java.time.Instant;

/** A named set of instructions, opening, voice and model an outbound launch can start from. */
public record LaunchTemplate(String templateId, String name, String instructions, String opening, String voice,
                             String model, Instant createdAt, Instant updatedAt) {
}

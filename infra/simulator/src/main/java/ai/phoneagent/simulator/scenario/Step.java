package ai.phoneagent.simulator.scenario;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Objects;

/** One step of a scripted call: something the caller or the model does, or a synchronisation point. */
public sealed interface Step permits Step.Emit, Step.RepeatLast, Step.Await, Step.Hangup, Step.Drop, Step.Pause {

    /** A step that sends server events on the call's WebSocket. */
    sealed interface Emit extends Step
            permits Caller, Agent, FunctionCall, Dtmf, ErrorEvent, TranscriptionFailed, Unknown, Raw {
    }

    /** The caller says {@code text}: speech started/stopped, transcription deltas, then completed. */
    record Caller(String text) implements Emit {
        public Caller {
            Objects.requireNonNull(text, "text");
        }
    }

    /** The model speaks {@code text}; {@code beta} uses the beta-era transcript event names. */
    record Agent(String text, boolean beta) implements Emit {
        public Agent {
            Objects.requireNonNull(text, "text");
        }
    }

    /** The model calls a tool; {@code arguments} is JSON text; {@code callId} null means a fresh one. */
    record FunctionCall(String name, String arguments, String callId) implements Emit {
        public FunctionCall {
            Objects.requireNonNull(name, "name");
            arguments = arguments == null ? "{}" : arguments;
        }
    }

    /** The caller presses keypad digits; one event per digit. */
    record Dtmf(String digits) implements Emit {
        public Dtmf {
            if (digits == null || digits.isEmpty()) {
                throw new IllegalArgumentException("dtmf needs at least one digit");
            }
        }
    }

    /** An {@code error} event with these fields (type, code, message, param, event_id). */
    record ErrorEvent(ObjectNode error) implements Emit {
        public ErrorEvent {
            error = error == null ? Json.object() : error.deepCopy();
        }

        @Override
        public ObjectNode error() {
            return error.deepCopy();
        }
    }

    /** Caller speech whose transcription fails ({@code ...input_audio_transcription.failed}). */
    record TranscriptionFailed(String message) implements Emit {
    }

    /** An event type the client does not know; {@code fields} are added to it. */
    record Unknown(String type, ObjectNode fields) implements Emit {
        public Unknown {
            Objects.requireNonNull(type, "type");
            fields = fields == null ? Json.object() : fields.deepCopy();
        }

        @Override
        public ObjectNode fields() {
            return fields.deepCopy();
        }
    }

    /** Any server event, sent as given (an {@code event_id} is added when missing). */
    record Raw(ObjectNode event) implements Emit {
        public Raw {
            Objects.requireNonNull(event, "event");
            if (!event.path("type").isTextual()) {
                throw new IllegalArgumentException("a raw event needs a string \"type\"");
            }
            event = event.deepCopy();
        }

        @Override
        public ObjectNode event() {
            return event.deepCopy();
        }
    }

    /** Sends the previous emitting step's events again, byte for byte (same ids). */
    record RepeatLast() implements Step {
    }

    /** Waits until the client has sent {@code target}; {@code timeout} null means the simulator default. */
    record Await(AwaitTarget target, Duration timeout) implements Step {
        public Await {
            Objects.requireNonNull(target, "target");
        }

        /** The timeout, or {@code fallback} when the step has none. */
        public Duration timeoutOr(Duration fallback) {
            return timeout == null ? fallback : timeout;
        }
    }

    /** The caller hangs up: the call ends; the socket closes with a close frame or is dropped. */
    record Hangup(boolean closeFrame) implements Step {
    }

    /** The network drops the socket but the call goes on (the client may re-attach). */
    record Drop(boolean closeFrame) implements Step {
    }

    /** Waits a fixed time; for pacing demos only, never to synchronise with the client. */
    record Pause(Duration duration) implements Step {
        public Pause {
            Objects.requireNonNull(duration, "duration");
        }
    }

    static Caller caller(String text) {
        return new Caller(text);
    }

    static Agent agent(String text) {
        return new Agent(text, false);
    }

    static Agent betaAgent(String text) {
        return new Agent(text, true);
    }

    /** A function call with arguments given as a JSON value (object, usually) or JSON text. */
    static FunctionCall functionCall(String name, Object arguments) {
        String text = switch (arguments) {
            case null -> "{}";
            case String s -> s;
            case JsonNode node -> Json.write(node);
            default -> Json.write(arguments);
        };
        return new FunctionCall(name, text, null);
    }

    static FunctionCall functionCall(String name, Object arguments, String callId) {
        return new FunctionCall(name, functionCall(name, arguments).arguments(), callId);
    }

    static Dtmf dtmf(String digits) {
        return new Dtmf(digits);
    }

    static ErrorEvent error(String type, String code, String message) {
        ObjectNode error = Json.object();
        error.put("type", type);
        error.put("code", code);
        error.put("message", message);
        return new ErrorEvent(error);
    }

    static TranscriptionFailed transcriptionFailed() {
        return new TranscriptionFailed(null);
    }

    static Unknown unknown(String type) {
        return new Unknown(type, null);
    }

    static Raw raw(ObjectNode event) {
        return new Raw(event);
    }

    static RepeatLast repeatLast() {
        return new RepeatLast();
    }

    static Await await(AwaitTarget target) {
        return new Await(target, null);
    }

    static Await await(AwaitTarget target, Duration timeout) {
        return new Await(target, timeout);
    }

    static Hangup hangup(boolean closeFrame) {
        return new Hangup(closeFrame);
    }

    static Drop drop(boolean closeFrame) {
        return new Drop(closeFrame);
    }

    static Pause pause(Duration duration) {
        return new Pause(duration);
    }
}

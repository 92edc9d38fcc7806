package ai.phoneagent.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The JVM options the Lambdas run with: {@code JAVA_TOOL_OPTIONS} as {@code template.yaml} sets it for the handler's
 * function, read from the template itself so the start figures measure what is deployed (infra/template-checks holds
 * both functions to one value of JVM flags).
 */
final class LambdaJvmOptions {
    static final String VARIABLE = "JAVA_TOOL_OPTIONS";

    private LambdaJvmOptions() {
    }

    /** The value set under {@code WebhookFunction} or {@code ControlFunction} ({@code handler}: webhook or control). */
    static String fromTemplate(Path template, String handler) throws IOException {
        String function = switch (handler) {
            case "webhook" -> "WebhookFunction";
            case "control" -> "ControlFunction";
            default -> throw new IllegalArgumentException("webhook or control");
        };
        List<String> lines = Files.readAllLines(template);
        boolean inFunction = false;
        for (String line : lines) {
            if (line.matches("^  [A-Za-z0-9]+:\\s*$")) { // a resource's logical id (two spaces in, under Resources)
                inFunction = line.trim().equals(function + ":");
            } else if (inFunction && line.trim().startsWith(VARIABLE + ":")) {
                return line.trim().substring(VARIABLE.length() + 1).trim();
            }
        }
        throw new IllegalStateException(template + " sets no " + VARIABLE + " for " + function);
    }
}

package ai.phoneagent.logging;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;

/**
 * One JSON object per line on standard output (CloudWatch, ECS and the local console all read it).
 * Only the fields a caller passes are written, so secrets cannot slip in through exception dumps.
 */
public final class JsonLog {
    private static volatile PrintStream out = System.out;
    private static final Clock CLOCK = Clock.systemUTC();
    private final String component;

    private JsonLog(String component) {
        this.component = component;
    }

    /** A logger whose lines carry {@code component}. */
    public static JsonLog forComponent(String component) {
        return new JsonLog(component);
    }

    /** Redirects every logger (the local stack and tests use this). */
    public static void redirect(PrintStream stream) {
        out = stream;
    }

    /** Where every logger writes now (to put it back after a {@link #redirect}). */
    public static PrintStream current() {
        return out;
    }

    public void info(String message, Map<String, ?> fields) {
        write("INFO", message, fields);
    }

    public void warn(String message, Map<String, ?> fields) {
        write("WARN", message, fields);
    }

    public void error(String message, Map<String, ?> fields) {
        write("ERROR", message, fields);
    }

    private void write(String level, String message, Map<String, ?> fields) {
        ObjectNode line = Json.object();
        line.put("ts", CLOCK.instant().toString());
        line.put("level", level);
        line.put("component", component);
        line.put("msg", message);
        fields.forEach((k, v) -> line.set(k, Json.mapper().valueToTree(v)));
        out.println(line);
    }

    private static final java.util.regex.Pattern SECRET_LIKE = java.util.regex.Pattern.compile(
            "(?i)(bearer\\s+|basic\\s+|sk-|whsec_|token=|key=|secret=|password=)[^\\s,;\"')]+");

    /**
     * A short, secret-free description of a failure: its type and message (for AWS calls the message names the
     * operation and endpoint, see {@code AwsFailures}), at most 300 characters, with anything shaped like a
     * credential masked.
     */
    public static String describe(Throwable t) {
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getSimpleName();
        }
        String text = SECRET_LIKE.matcher(message.strip()).replaceAll("$1***");
        text = text.length() > 300 ? text.substring(0, 300) + "…" : text;
        return t.getClass().getSimpleName() + ": " + text;
    }
}

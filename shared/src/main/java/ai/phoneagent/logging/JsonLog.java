package ai.phoneagent.logging;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;
import java.util.Set;

/**
 * One JSON object per line on standard output (CloudWatch, ECS and the local console all read it).
 * Only the fields a caller passes are written, so secrets cannot slip in through exception dumps, plus the
 * {@code call_id} and {@code trace_id} of the {@link LogContext} the line is written in.
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

    /** The fields every line starts with; a caller's field of the same name gives its value. */
    private static final Set<String> HEADER = Set.of("ts", "level", "component", "msg", "call_id", "trace_id");

    private void write(String level, String message, Map<String, ?> fields) {
        LogContext context = LogContext.current().orElse(null);
        out.println(Json.stream(line -> {
            line.writeStartObject();
            field(line, "ts", CLOCK.instant().toString(), fields);
            field(line, "level", level, fields);
            field(line, "component", component, fields);
            field(line, "msg", message, fields);
            correlate(line, context, fields);
            for (Map.Entry<String, ?> field : fields.entrySet()) {
                if (!HEADER.contains(field.getKey())) {
                    line.writeFieldName(field.getKey());
                    Json.writeValue(line, field.getValue());
                }
            }
            line.writeEndObject();
        }));
    }

    private static void field(JsonGenerator line, String name, Object value, Map<String, ?> fields) throws IOException {
        line.writeFieldName(name);
        Json.writeValue(line, fields.containsKey(name) ? fields.get(name) : value);
    }

    /**
     * The context's call and trace ids; a line that names another call keeps its own {@code call_id} and gets no
     * trace id (the context's is not that call's).
     */
    private static void correlate(JsonGenerator line, LogContext context, Map<String, ?> fields) throws IOException {
        Object namedCall = fields.get("call_id");
        boolean ours = context != null && (namedCall == null || namedCall.equals(context.callId()));
        String callId = ours ? context.callId() : null;
        String traceId = ours ? context.traceId() : null;
        if (callId != null || fields.containsKey("call_id")) {
            field(line, "call_id", callId, fields);
        }
        if (traceId != null || fields.containsKey("trace_id")) {
            field(line, "trace_id", traceId, fields);
        }
    }

    private static final java.util.regex.Pattern SECRET_LIKE = java.util.regex.Pattern.compile(
            "(?i)(bearer\\s+|basic\\s+|sk-|whsec_|token=|key=|secret=|password=)[^\\s,;\"')]+");

    /** Causes described after the failure itself; deeper ones are left out. */
    private static final int MAX_CAUSES = 3;

    /**
     * A short, secret-free description of a failure: its type and message (for AWS calls the message names the
     * operation and endpoint, see {@code AwsFailures}), then each cause's type and message ({@code caused by …}, up to
     * three), each message at most 300 characters, with anything shaped like a credential masked.
     */
    public static String describe(Throwable t) {
        StringBuilder text = new StringBuilder(one(t));
        Throwable cause = t.getCause();
        for (int i = 0; i < MAX_CAUSES && cause != null && cause != t; i++, cause = cause.getCause()) {
            String described = one(cause);
            if (!text.toString().endsWith(described)) { // wrappers often repeat their cause as their message
                text.append("; caused by ").append(described);
            }
        }
        return text.toString();
    }

    private static String one(Throwable t) {
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getSimpleName();
        }
        String text = SECRET_LIKE.matcher(message.strip()).replaceAll("$1***");
        text = text.length() > 300 ? text.substring(0, 300) + "…" : text;
        return t.getClass().getSimpleName() + ": " + text;
    }
}

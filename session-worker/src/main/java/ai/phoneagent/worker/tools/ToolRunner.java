package ai.phoneagent.worker.tools;

import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.tools.ToolCatalog;
import ai.phoneagent.worker.realtime.ClientEvents;
import ai.phoneagent.worker.realtime.FunctionCall;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs the model's function calls for one call. The same call is announced by up to three events
 * ({@code response.function_call_arguments.done}, {@code response.output_item.done}, {@code response.done}); each
 * {@code call_id} runs once. Tools run off the call's event thread, so a slow tool never delays transcripts;
 * every tool answers with a {@code function_call_output} (an error the model can speak when it fails), then a
 * {@code response.create} so the model says the result.
 */
public final class ToolRunner {
    private static final JsonLog LOG = JsonLog.forComponent("tools");
    /** Phone numbers and SIP/tel addresses: never accepted from the model as anything to dial. */
    private static final Pattern ADDRESS = Pattern.compile("(?i)(sips?:|tel:|@|\\+?\\d[\\d\\-. ()]{5,}\\d)");
    private static final int MAX_EVENT_TEXT = 1_000;

    private final ToolCatalog catalog;
    private final TransferService transfer;
    private final HttpToolInvoker http;
    private final ToolContext context;
    private final Executor executor;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    /** Guards {@link #inFlight}; notified when a tool finishes. */
    private final Object idle = new Object();
    private int inFlight;

    public ToolRunner(ToolCatalog catalog, TransferService transfer, HttpToolInvoker http, ToolContext context,
                      Executor executor) {
        this.catalog = catalog;
        this.transfer = transfer;
        this.http = http;
        this.context = context;
        this.executor = executor;
    }

    /** Handles an announced function call; false when its {@code call_id} was already handled. */
    public boolean onFunctionCall(FunctionCall call) {
        if (call == null || call.callId() == null || !seen.add(call.callId())) {
            return false;
        }
        String name = call.name() == null ? "" : call.name();
        LOG.info("tool call", Map.of("call_id", context.callId(), "tool", name, "tool_call_id", call.callId()));
        if (ToolCatalog.END_CALL_TOOL.equals(name) && catalog.endCallEnabled()) {
            // decided here, on the event thread, so the response.done that follows already sees it
            JsonNode args = parseArguments(call.arguments());
            String reason = args == null ? null : Json.text(args, "reason");
            context.hangupAfterResponse(reason == null ? "agent_hangup" : reason);
            track(() -> {
                recordCall(call, name);
                // no response.create: the goodbye is already being said and nothing more should follow it
                finish(call, name, ToolResult.success("The call will end after your goodbye."), false);
            });
            return true;
        }
        track(() -> {
            recordCall(call, name);
            ToolResult result;
            try {
                result = run(call, name);
            } catch (RuntimeException e) {
                LOG.error("tool crashed", Map.of("call_id", context.callId(), "tool", name, "error", JsonLog.describe(e)));
                result = ToolResult.error("Something went wrong on my side. Please try again.");
            }
            finish(call, name, result, true);
        });
        return true;
    }

    /** Runs a tool on the executor, counted as in flight until it has answered. */
    private void track(Runnable tool) {
        synchronized (idle) {
            inFlight++;
        }
        executor.execute(() -> {
            try {
                tool.run();
            } finally {
                synchronized (idle) {
                    inFlight--;
                    idle.notifyAll();
                }
            }
        });
    }

    /** Waits up to {@code timeout} for the tools in flight to answer; true when none is left. */
    public boolean awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(idle, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /** Tools running now. */
    public int inFlight() {
        synchronized (idle) {
            return inFlight;
        }
    }

    /** How many distinct function calls this call has seen. */
    public int handledCount() {
        return seen.size();
    }

    private ToolResult run(FunctionCall call, String name) {
        JsonNode args = parseArguments(call.arguments());
        if (args == null) {
            return ToolResult.error("The request was not understood. Please try again.");
        }
        if (ToolCatalog.TRANSFER_TOOL.equals(name)) {
            return transfer(args);
        }
        var spec = catalog.httpTool(name);
        if (spec.isPresent()) {
            return http.invoke(spec.get(), context.callId(), call.callId(), args);
        }
        return ToolResult.error("I can't do that on this line.");
    }

    private ToolResult transfer(JsonNode args) {
        String target = Json.text(args, "target");
        String reason = Json.text(args, "reason");
        for (Iterator<Map.Entry<String, JsonNode>> it = args.properties().iterator(); it.hasNext(); ) {
            var field = it.next();
            if (field.getKey().equals("reason")) {
                continue;
            }
            String value = field.getValue().isValueNode() ? field.getValue().asText() : Json.write(field.getValue());
            if (ADDRESS.matcher(value).find()) {
                // a number or address the model passed (perhaps dictated by the caller) is never dialled
                ObjectNode details = Json.object().put("source", "tool").put("error", "address_in_arguments")
                        .put("field", TransferService.truncate(field.getKey(), 40));
                context.recordEvent("transfer_refused", details);
                LOG.warn("transfer refused", Map.of("call_id", context.callId(), "why", "address_in_arguments"));
                return ToolResult.error(TransferService.UNKNOWN_TARGET);
            }
        }
        return transfer.transfer(context.call(), target, reason).toToolResult();
    }

    private void finish(FunctionCall call, String name, ToolResult result, boolean respond) {
        boolean sent = context.send(ClientEvents.functionCallOutput(call.callId(), result.output()));
        if (respond && sent) {
            context.send(ClientEvents.responseCreate());
        }
        ObjectNode details = Json.object().put("call_id", call.callId()).put("name", name).put("ok", result.ok())
                .put("output", TransferService.truncate(result.output(), MAX_EVENT_TEXT));
        context.recordEvent("tool_result", details);
        if (!sent) {
            LOG.warn("tool output not sent: socket closed", Map.of("call_id", context.callId(), "tool", name));
        }
    }

    private void recordCall(FunctionCall call, String name) {
        context.recordEvent("tool_call", Json.object().put("call_id", call.callId()).put("name", name)
                .put("arguments", TransferService.truncate(call.arguments() == null ? "" : call.arguments(), MAX_EVENT_TEXT)));
    }

    private static JsonNode parseArguments(String text) {
        try {
            JsonNode node = Json.parse(text == null || text.isBlank() ? "{}" : text);
            return node != null && node.isObject() ? node : null;
        } catch (Exception e) {
            return null;
        }
    }
}

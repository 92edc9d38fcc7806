package ai.phoneagent.worker.tools;

import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.metrics.Dimension;
import ai.phoneagent.metrics.EmfWriter;
import ai.phoneagent.metrics.Measurement;
import ai.phoneagent.metrics.Metric;
import ai.phoneagent.metrics.MetricRecorder;
import ai.phoneagent.tools.Tool;
import ai.phoneagent.tools.ToolCall;
import ai.phoneagent.tools.ToolContext;
import ai.phoneagent.tools.ToolRegistry;
import ai.phoneagent.tools.ToolResult;
import ai.phoneagent.worker.realtime.ClientEvents;
import ai.phoneagent.worker.realtime.FunctionCall;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;

/**
 * Runs the model's function calls for one call with the worker's {@link ToolRegistry}. The same call is announced
 * by up to three events ({@code response.function_call_arguments.done}, {@code response.output_item.done},
 * {@code response.done}); each {@code call_id} runs once. Tools run off the call's event thread, so a slow tool never
 * delays transcripts; every tool answers with a {@code function_call_output} (an error the model can speak when it
 * fails or is not in this worker's registry), then a {@code response.create} so the model says the result.
 */
public final class ToolRunner {
    private static final JsonLog LOG = JsonLog.forComponent("tools");
    private static final MetricRecorder METRICS = EmfWriter.toLogStream();
    private static final int MAX_EVENT_TEXT = 1_000;
    static final String NOT_ON_THIS_LINE = "I can't do that on this line.";

    private final ToolRegistry registry;
    private final ToolHost host;
    private final ToolContext context;
    private final Executor executor;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    /** Guards {@link #inFlight}; notified when a tool finishes. */
    private final Object idle = new Object();
    private int inFlight;

    /**
     * @param http the worker's client for tools (redirects off); shared by every call
     */
    public ToolRunner(ToolRegistry registry, TransferService transfer, OkHttpClient http, Clock clock, ToolHost host,
                      Executor executor) {
        this.registry = registry;
        this.host = host;
        this.context = new HostContext(host, transfer, http, clock);
        this.executor = executor;
    }

    /**
     * Compares the catalogue the call was accepted with to this worker's: when they differ (a deploy between the
     * webhook and the worker, or different settings) the model may call a tool this worker lacks, so it is logged and
     * recorded on the call ({@code tool_catalog_mismatch}); the call goes on with the tools this worker has. False on
     * a mismatch. A call accepted before the fingerprint was stored is not checked.
     */
    public boolean checkCatalog(String offered) {
        if (offered == null || offered.equals(registry.fingerprint())) {
            return true;
        }
        LOG.warn("tool catalogue differs from the one offered at accept", Map.of("call_id", host.callId(),
                "offered", offered, "worker", registry.fingerprint(), "worker_tools", registry.names().toString()));
        ObjectNode details = Json.object().put("offered", offered).put("worker", registry.fingerprint());
        registry.names().forEach(details.putArray("worker_tools")::add);
        host.recordEvent("tool_catalog_mismatch", details);
        return false;
    }

    /** Handles an announced function call; false when its {@code call_id} was already handled. */
    public boolean onFunctionCall(FunctionCall call) {
        if (call == null || call.callId() == null || !seen.add(call.callId())) {
            return false;
        }
        String name = call.name() == null ? "" : call.name();
        LOG.info("tool call", Map.of("call_id", host.callId(), "tool", name, "tool_call_id", call.callId()));
        Optional<Tool> tool = registry.tool(name);
        if (tool.isPresent() && tool.get().decidesTheCallsNextStep()) {
            // decided here, on the event thread, so the response.done that follows already sees it
            JsonNode args = parseArguments(call.arguments());
            ToolResult result = runSafely(tool.get(), new ToolCall(call.callId(), name, args == null ? Json.object() : args));
            track(() -> {
                recordCall(call, name);
                // no response.create: the goodbye is already being said and nothing more should follow it
                finish(call, name, result, false);
            });
            return true;
        }
        track(() -> {
            recordCall(call, name);
            JsonNode args = parseArguments(call.arguments());
            ToolResult result;
            if (tool.isEmpty()) {
                LOG.warn("tool not in this worker's registry", Map.of("call_id", host.callId(), "tool", name,
                        "worker_tools", registry.names().toString()));
                result = ToolResult.error(NOT_ON_THIS_LINE);
                recordNotRun("unknown", "unknown_tool"); // the model's name is unbounded: never a dimension
            } else if (args == null) {
                result = ToolResult.error("The request was not understood. Please try again.");
                recordNotRun(name, "invalid_arguments");
            } else {
                result = runSafely(tool.get(), new ToolCall(call.callId(), name, args));
            }
            finish(call, name, result, true);
        });
        return true;
    }

    private ToolResult runSafely(Tool tool, ToolCall call) {
        long started = System.nanoTime();
        ToolResult result;
        try {
            result = tool.run(call, context);
        } catch (RuntimeException e) {
            LOG.error("tool crashed", Map.of("call_id", host.callId(), "tool", call.name(), "error", JsonLog.describe(e)));
            result = ToolResult.error("Something went wrong on my side. Please try again.");
        }
        List<Measurement> taken = List.of(
                Measurement.one(Metric.TOOL_CALLS).with(Dimension.TOOL, call.name())
                        .with(Dimension.OUTCOME, result.ok() ? "ok" : "error").property("call_id", host.callId()),
                Measurement.of(Metric.TOOL_LATENCY, (System.nanoTime() - started) / 1_000_000.0)
                        .with(Dimension.TOOL, call.name()).property("call_id", host.callId()));
        executor.execute(() -> METRICS.record(taken)); // some tools run on the call's event thread
        return result;
    }

    /** A tool call that never ran: the model named a tool this worker lacks, or sent arguments that do not parse. */
    private void recordNotRun(String tool, String outcome) {
        METRICS.record(Measurement.one(Metric.TOOL_CALLS).with(Dimension.TOOL, tool).with(Dimension.OUTCOME, outcome)
                .property("call_id", host.callId()));
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

    private void finish(FunctionCall call, String name, ToolResult result, boolean respond) {
        boolean sent = host.send(ClientEvents.functionCallOutput(call.callId(), result.output()));
        if (respond && sent) {
            host.send(ClientEvents.responseCreate());
        }
        ObjectNode details = Json.object().put("call_id", call.callId()).put("name", name).put("ok", result.ok())
                .put("output", TransferService.truncate(result.output(), MAX_EVENT_TEXT));
        host.recordEvent("tool_result", details);
        if (!sent) {
            LOG.warn("tool output not sent: socket closed", Map.of("call_id", host.callId(), "tool", name));
        }
    }

    private void recordCall(FunctionCall call, String name) {
        host.recordEvent("tool_call", Json.object().put("call_id", call.callId()).put("name", name)
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

    /** The {@link ToolContext} tools see: the call's session, the worker's transfer service, HTTP client and clock. */
    private record HostContext(ToolHost host, TransferService transfer, OkHttpClient http, Clock clock)
            implements ToolContext {
        @Override
        public String callId() {
            return host.callId();
        }

        @Override
        public void recordEvent(String kind, JsonNode details) {
            host.recordEvent(kind, details);
        }

        @Override
        public void hangupAfterResponse(String reason) {
            host.hangupAfterResponse(reason);
        }

        @Override
        public ToolResult transfer(String targetName, String reason) {
            return transfer.transfer(host.call(), targetName, reason).toToolResult();
        }
    }
}

package ai.phoneagent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** The bench's table: one row per figure, read from the JSON result. */
final class Report {
    private Report() {
    }

    /** Every figure as {@code name → value} rows, in a stable order (also used to compare two results). */
    static List<String[]> rows(JsonNode r) {
        List<String[]> rows = new ArrayList<>();
        for (String n : List.of("1", "20", "50", "1 warm")) {
            JsonNode s = r.path("ringToGreeting").path(n);
            for (String k : List.of("webhookRtt", "accept", "socketOpen", "greeting")) {
                JsonNode v = s.path(k);
                if (!v.isMissingNode()) {
                    rows.add(new String[] {"ring→" + k + " @" + n + " p50/p95/p99 ms",
                            v.path("p50").asText() + " / " + v.path("p95").asText() + " / " + v.path("p99").asText()});
                }
            }
        }
        JsonNode cpu = r.path("cpuPerCall");
        if (!cpu.isMissingNode()) { // not measured with --live-only
            rows.add(new String[] {"CPU per call: front (webhook+control) ms (of it JIT compiler threads)",
                    cpu.path("frontMs").asText() + " (" + cpu.path("frontJitMs").asText("—") + ")"});
            rows.add(new String[] {"CPU per call: worker ms (of it JIT compiler threads)",
                    cpu.path("workerMs").asText() + " (" + cpu.path("workerJitMs").asText("—") + ")"});
            JsonNode steady = cpu.path("steady");
            if (!steady.isMissingNode()) {
                rows.add(new String[] {"CPU per call, steady state (" + steady.path("calls").asText() + " calls after as many more): front / worker ms",
                        steady.path("measured").path("frontMs").asText() + " / " + steady.path("measured").path("workerMs").asText()
                                + "; of it JIT " + steady.path("measured").path("frontJitMs").asText() + " / "
                                + steady.path("measured").path("workerJitMs").asText()
                                + " (the " + steady.path("calls").asText() + " before: " + steady.path("warmup").path("frontMs").asText()
                                + " / " + steady.path("warmup").path("workerMs").asText() + ")"});
                if (steady.path("measured").has("enginesMs")) {
                    rows.add(new String[] {"CPU per call, steady state, not ours: AWS engines / simulator + driver ms",
                            steady.path("measured").path("enginesMs").asText() + " / "
                                    + steady.path("measured").path("simulatorAndDriverMs").asText()});
                }
                steady.path("frontAwsCallMs").fields().forEachRemaining(f -> rows.add(new String[] {
                        "front, steady state: " + f.getKey() + " SDK call / its HTTP exchange ms (mean)",
                        f.getValue().path("sdk").asText() + " / " + f.getValue().path("http").asText()}));
            }
            JsonNode conversation = cpu.path("conversation");
            if (!conversation.isMissingNode()) {
                JsonNode measured = conversation.path("measured");
                JsonNode warmup = conversation.path("warmup");
                String calls = conversation.path("calls").asText();
                rows.add(new String[] {"CPU per call with a conversation (" + conversation.path("exchanges").asText()
                        + " exchanges; " + calls + " calls after as many more): front / worker ms",
                        measured.path("frontMs").asText() + " / " + measured.path("workerMs").asText() + "; of it JIT "
                                + measured.path("frontJitMs").asText() + " / " + measured.path("workerJitMs").asText()
                                + " (the " + calls + " before: " + warmup.path("frontMs").asText() + " / "
                                + warmup.path("workerMs").asText() + "); not ours: engines / simulator + driver "
                                + measured.path("enginesMs").asText() + " / "
                                + measured.path("simulatorAndDriverMs").asText()});
            }
        }
        r.path("awsRequestsPerCall").fields().forEachRemaining(f ->
                rows.add(new String[] {"AWS requests per call: " + f.getKey(), f.getValue().asText()}));
        JsonNode hang = r.path("operatorHangup");
        if (!hang.isMissingNode()) {
            rows.add(new String[] {"operator hang-up @" + hang.path("liveCalls").asText() + " live → OpenAI p50/p99 ms",
                    hang.path("requestToHangupAtOpenAi").path("p50").asText() + " / " + hang.path("requestToHangupAtOpenAi").path("p99").asText()});
            rows.add(new String[] {"operator hang-up control RTT p50/p99 ms",
                    hang.path("controlRtt").path("p50").asText() + " / " + hang.path("controlRtt").path("p99").asText()});
            JsonNode paced = hang.path("paced");
            if (!paced.isMissingNode()) {
                rows.add(new String[] {"operator hang-up, one per " + paced.path("paceMs").asText() + " ms → OpenAI p50/p99 ms",
                        paced.path("requestToHangupAtOpenAi").path("p50").asText() + " / "
                                + paced.path("requestToHangupAtOpenAi").path("p99").asText()});
            }
        }
        r.path("liveCalls").fields().forEachRemaining(f -> {
            JsonNode v = f.getValue();
            rows.add(new String[] {"live " + f.getKey() + ": worker heap per idle call KB", v.path("heapPerLiveCallKb").asText()});
            rows.add(new String[] {"live " + f.getKey() + ": idle worker cores", v.path("idleWorkerCores").asText()});
            rows.add(new String[] {"live " + f.getKey() + ": greeting p50/p99 ms",
                    v.path("greetingWithLiveCalls").path("p50").asText() + " / " + v.path("greetingWithLiveCalls").path("p99").asText()});
            if (v.has("queueToGreetingWithLiveCalls")) {
                rows.add(new String[] {"live " + f.getKey() + ": queue message → greeting p50/p99 ms",
                        v.path("queueToGreetingWithLiveCalls").path("p50").asText() + " / "
                                + v.path("queueToGreetingWithLiveCalls").path("p99").asText()});
                rows.add(new String[] {"live " + f.getKey() + ": worker threads / open files",
                        v.path("workerThreads").asText() + " / " + v.path("workerOpenFiles").asText()});
            }
            v.path("awsRequestsPerIdleCallMinute").fields().forEachRemaining(g ->
                    rows.add(new String[] {"live " + f.getKey() + ": idle AWS requests per call-minute " + g.getKey(), g.getValue().asText()}));
        });
        r.path("freshStartMs").fields().forEachRemaining(f -> rows.add(new String[] {
                "fresh start → first response: " + f.getKey() + " default / AOT cache ms (CPU ms)",
                f.getValue().path("defaultMs").asText() + " / " + f.getValue().path("aotCacheMs").asText() + " ("
                        + f.getValue().path("defaultCpuMs").asText("—") + " / " + f.getValue().path("aotCacheCpuMs").asText("—") + ")"
                        + (f.getValue().has("aotCacheLambdaOptionsMs") ? "; AOT + the Lambda's JAVA_TOOL_OPTIONS ("
                        + f.getValue().path("lambdaJvmOptions").asText() + ") " + f.getValue().path("aotCacheLambdaOptionsMs").asText()
                        + " (" + f.getValue().path("aotCacheLambdaOptionsCpuMs").asText() + ")" : "")
                        + (f.getValue().has("aotCacheMainThreadCpuMs") ? "; main thread CPU " + f.getValue().path("defaultMainThreadCpuMs").asText()
                        + " / " + f.getValue().path("aotCacheMainThreadCpuMs").asText() : "")}));
        JsonNode cost = r.path("costPer1000CallMinutes");
        if (!cost.isMissingNode()) {
            rows.add(new String[] {"AWS cost per 1,000 call-minutes USD (" + cost.path("assumedCallMinutes").asText() + "-min calls)",
                    cost.path("totalUsd").asText() + " (DynamoDB " + cost.path("dynamoDbUsd").asText() + ", SQS "
                            + cost.path("sqsUsd").asText() + ", Lambda " + cost.path("lambdaUsd").asText() + ", Fargate "
                            + cost.path("fargateUsdConsumed").asText() + ")"});
        }
        return rows;
    }

    static void print(JsonNode r, PrintStream out) {
        out.println();
        out.println("| figure | value |");
        out.println("|---|---|");
        for (String[] row : rows(r)) {
            out.println("| " + row[0] + " | " + row[1] + " |");
        }
        out.println("load (/proc/loadavg) before: " + r.path("uptime").asText() + "; after: " + r.path("uptimeAfter").asText());
    }
}

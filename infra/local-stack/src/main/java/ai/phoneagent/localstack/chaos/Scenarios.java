package ai.phoneagent.localstack.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The chaos scenarios of issue 8, each against real processes with real signals. Every scenario checks its own calls
 * the same way ({@link #check}); the recovery each one times and its target are written next to it.
 */
final class Scenarios {
    /** A scenario: runs against the cluster and reports what it measured. */
    interface Scenario {
        Outcome run(Cluster cluster) throws Exception;
    }

    static final Duration FAILOVER_TARGET = Duration.ofSeconds(15);
    static final Duration HANDOFF_TARGET = Duration.ofSeconds(3);
    static final Duration GREETED_AFTER_RETURN_TARGET = Duration.ofSeconds(5);
    static final Duration CAPACITY_TARGET = Duration.ofSeconds(10);
    static final Duration OWNERLESS_COMMAND_TARGET = Duration.ofSeconds(6);
    /** accept-500's shortened timings: the {@code RECEIVED} deadline and the sweep interval of its worker. */
    static final Duration ACCEPT_FAILED_DEADLINE = Duration.ofSeconds(15);
    static final Duration ACCEPT_FAILED_SWEEP = Duration.ofSeconds(4);
    /**
     * The deadline, plus two sweep intervals (a jittered interval, up to +25 %, and the sweep's own pass over the live
     * calls), plus 5 s for the hang-up, the end write and the webhook's first delivery on a loaded machine.
     */
    static final Duration ACCEPT_FAILED_TARGET = ACCEPT_FAILED_DEADLINE.plus(ACCEPT_FAILED_SWEEP.multipliedBy(2))
            .plusSeconds(5);
    /** The lines a {@link Cluster#placeCall} call has sent once greeted: the greeting's answer, then a caller line and its answer. */
    private static final int FIRST_EXCHANGE_LINES = 3;
    private static final Duration GREETING_WAIT = Duration.ofSeconds(120);
    private static final Duration RECOVERY_WAIT = Duration.ofSeconds(150);

    private final Duration settle;

    Scenarios(Duration settle) {
        this.settle = settle;
    }

    /** Every scenario by name, in the order the full form runs them. */
    Map<String, Scenario> all() {
        Map<String, Scenario> all = new LinkedHashMap<>();
        all.put("kill9", c -> ownerDies(c, "kill9", "KILL", FAILOVER_TARGET));
        all.put("sigterm", c -> ownerDies(c, "sigterm", "TERM", HANDOFF_TARGET));
        all.put("capacity", this::capacityFull);
        all.put("dynamodb-pause-20s", c -> enginePaused(c, "dynamodb-pause-20s", c.dynamoEngine(), Duration.ofSeconds(20)));
        all.put("dynamodb-pause-60s", c -> enginePaused(c, "dynamodb-pause-60s", c.dynamoEngine(), Duration.ofSeconds(60)));
        all.put("sqs-pause-20s", this::sqsPaused);
        all.put("wrong-key", this::wrongKey);
        all.put("accept-500", this::acceptFails);
        all.put("accept-slow", this::acceptSlow);
        all.put("command-owner-dead", this::commandWhileOwnerDead);
        return all;
    }

    /** kill -9 or SIGTERM of the worker holding calls while another is alive: its calls are re-attached elsewhere. */
    private Outcome ownerDies(Cluster c, String name, String signal, Duration target) throws Exception {
        Outcome.Builder outcome = new Outcome.Builder(name);
        List<Cluster.Worker> workers = List.of(c.startWorker(Map.of()), c.startWorker(Map.of()));
        List<String> calls = place(c, 4, 40);
        requireGreeted(c, calls);
        Cluster.Worker owner = ownerOf(c, calls.getFirst(), workers);
        Map<String, Integer> attaches = new LinkedHashMap<>();
        Map<String, JsonNode> before = c.simulatorCalls();
        for (String call : calls) {
            if (owner.id().equals(ourOwner(c, call))) {
                attaches.put(call, before.get(call).path("attachCount").asInt());
            }
        }
        outcome.note(signal + " to " + owner.id() + " holding " + attaches.size() + " of " + calls.size() + " calls");
        owner.process().signal(signal);
        Optional<Duration> reattached = c.awaitCalls(List.copyOf(attaches.keySet()),
                s -> s.path("attachCount").asInt() > attaches.get(s.path("callId").asText()) && s.path("openSockets").asInt() > 0,
                RECOVERY_WAIT);
        outcome.recovery(reattached, target);
        Set<String> survivors = workers.stream().filter(w -> w != owner).map(Cluster.Worker::id).collect(Collectors.toSet());
        for (String call : attaches.keySet()) {
            checkNewOwner(c, call, survivors, signal.equals("KILL"), outcome);
        }
        return check(c, calls, true, outcome);
    }

    /**
     * A moved call as the API shows it: owned by a survivor, with a {@code reattached} event (and, after a crash, an
     * {@code owner_lost} event), once the new owner's writes are in.
     */
    private static void checkNewOwner(Cluster c, String callId, Set<String> survivors, boolean crashed,
                                      Outcome.Builder outcome) throws InterruptedException {
        List<String> wanted = crashed ? List.of("owner_lost", "reattached") : List.of("reattached");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String owner = "";
        List<String> kinds = List.of();
        while (System.nanoTime() < deadline) {
            Optional<JsonNode> ours = c.ourCall(callId);
            owner = ours.map(j -> j.path("call").path("owner").asText("")).orElse("");
            kinds = ours.map(j -> j.path("events").valueStream().map(e -> e.path("kind").asText()).toList())
                    .orElse(List.of());
            if (survivors.contains(owner) && kinds.containsAll(wanted)) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(250); // another process's writes, read over HTTP: polled
        }
        outcome.checkFailed(callId + ": the API shows owner '" + owner + "' and events " + kinds + ", expected a survivor "
                + survivors + " and " + wanted);
    }

    /** One worker with capacity 2 and four calls: the two waiting are greeted once two calls end. */
    private Outcome capacityFull(Cluster c) throws Exception {
        Outcome.Builder outcome = new Outcome.Builder("capacity");
        c.startWorker(Map.of("WORKER_CAPACITY", "2"));
        List<String> calls = place(c, 4, 20);
        List<String> first = new ArrayList<>();
        long deadline = System.nanoTime() + GREETING_WAIT.toNanos();
        while (first.size() < 2 && System.nanoTime() < deadline) {
            Map<String, JsonNode> now = c.simulatorCalls();
            first = calls.stream().filter(id -> now.get(id) != null && now.get(id).path("greeted").asBoolean()).toList();
            TimeUnit.MILLISECONDS.sleep(200);
        }
        if (first.size() != 2) {
            outcome.note("expected 2 calls taken at capacity 2, saw " + first.size());
        }
        List<String> taken = List.copyOf(first);
        List<String> waiting = calls.stream().filter(id -> !taken.contains(id)).toList();
        for (String call : taken) {
            c.callerHangsUp(call);
        }
        outcome.recovery(c.awaitCalls(waiting, s -> s.path("greeted").asBoolean(), RECOVERY_WAIT), CAPACITY_TARGET);
        return check(c, calls, true, outcome);
    }

    /** An AWS engine frozen (SIGSTOP) while calls talk, then resumed: nothing said is lost, new calls are greeted. */
    private Outcome enginePaused(Cluster c, String name, ChildProcess engine, Duration pause) throws Exception {
        Outcome.Builder outcome = new Outcome.Builder(name);
        c.startWorker(Map.of());
        c.startWorker(Map.of());
        List<String> calls = new ArrayList<>(place(c, 2, (int) pause.toSeconds() + 20));
        requireGreeted(c, calls);
        engine.signal("STOP");
        try {
            TimeUnit.MILLISECONDS.sleep(pause.toMillis()); // the fault's length is the point of the scenario
        } finally {
            engine.signal("CONT");
        }
        String probe = c.placeCall(3);
        calls.add(probe);
        outcome.recovery(c.awaitCalls(List.of(probe), s -> s.path("greeted").asBoolean(), RECOVERY_WAIT),
                GREETED_AFTER_RETURN_TARGET);
        // let the calls talk on a little after the engine's return before counting
        c.awaitCalls(calls.subList(0, 2), s -> s.path("scenarioFinished").asBoolean(), Duration.ofSeconds(40));
        return check(c, calls, true, outcome);
    }

    /** The calls queue frozen for 20 s while calls come in: they are greeted within 5 s of its return. */
    private Outcome sqsPaused(Cluster c) throws Exception {
        Outcome.Builder outcome = new Outcome.Builder("sqs-pause-20s");
        c.startWorker(Map.of());
        c.startWorker(Map.of());
        c.sqsEngine().signal("STOP");
        List<String> calls;
        try {
            calls = place(c, 2, 3);
            TimeUnit.SECONDS.sleep(20); // the fault's length is the point of the scenario
        } finally {
            c.sqsEngine().signal("CONT");
        }
        outcome.recovery(c.awaitCalls(calls, s -> s.path("greeted").asBoolean(), RECOVERY_WAIT), GREETED_AFTER_RETURN_TARGET);
        return check(c, calls, true, outcome);
    }

    /**
     * A worker with a wrong OpenAI key takes calls first (its attaches are refused with 401); once a good worker
     * starts, every call is greeted by it and none was ended meanwhile.
     */
    private Outcome wrongKey(Cluster c) throws Exception {
        Outcome.Builder outcome = new Outcome.Builder("wrong-key");
        Cluster.Worker wrong = c.startWorker(Map.of("OPENAI_API_KEY", "sk-wrong-key-for-chaos"));
        List<String> calls = place(c, 2, 5);
        // until the wrong-key worker has claimed a call, been refused and turned unhealthy (it then hands off what it
        // holds and takes nothing more), as its log says
        long deadline = System.nanoTime() + GREETING_WAIT.toNanos();
        while (!wrong.process().output().contains("\"msg\":\"worker unhealthy") && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(250); // another process's log: polled
        }
        String log = wrong.process().output();
        outcome.note("calls claimed by the wrong-key worker " + wrong.id() + " before it turned unhealthy: "
                + calls.stream().filter(id -> log.lines().anyMatch(l -> l.contains("\"msg\":\"call claimed\"")
                && l.contains(id))).count() + " of " + calls.size());
        Cluster.Worker good = c.startWorker(Map.of());
        outcome.recovery(c.awaitCalls(calls, s -> s.path("greeted").asBoolean(), RECOVERY_WAIT), FAILOVER_TARGET);
        outcome.note("good worker " + good.id() + " started after the calls were claimed");
        return check(c, calls, true, outcome);
    }

    /**
     * Accept answers 500 every time: each call stays {@code RECEIVED} until its deadline (shortened here to
     * {@link #ACCEPT_FAILED_DEADLINE}), then a worker's sweep hangs it up at OpenAI and ends it {@code accept_failed}.
     * None may be left live at OpenAI or unfinished at our side.
     */
    private Outcome acceptFails(Cluster c) throws Exception {
        Outcome.Builder outcome = new Outcome.Builder("accept-500");
        c.startWorker(Map.of("RECEIVED_DEADLINE_MS", Long.toString(ACCEPT_FAILED_DEADLINE.toMillis()),
                "SWEEP_INTERVAL_MS", Long.toString(ACCEPT_FAILED_SWEEP.toMillis())));
        c.faults("{\"accept_status\": 500}");
        try {
            List<String> calls = place(c, 2, 3);
            long start = System.nanoTime();
            Optional<Duration> ended = Optional.empty();
            while (ended.isEmpty() && System.nanoTime() - start < RECOVERY_WAIT.toNanos()) {
                if (calls.stream().allMatch(id -> c.ourCall(id).map(j -> "accept_failed".equals(
                        j.path("call").path("endReason").asText())).orElse(false))) {
                    ended = Optional.of(Duration.ofNanos(System.nanoTime() - start));
                } else {
                    TimeUnit.MILLISECONDS.sleep(250); // our side over HTTP: polled
                }
            }
            outcome.recovery(ended, ACCEPT_FAILED_TARGET);
            outcome.note("accept answered 500 to every attempt; deadline " + ACCEPT_FAILED_DEADLINE.toSeconds()
                    + " s, sweep every " + ACCEPT_FAILED_SWEEP.toSeconds() + " s; time to recovery: until both calls are"
                    + " ENDED accept_failed");
            return check(c, calls, false, outcome);
        } finally {
            c.clearFaults();
        }
    }

    /** Accept answers after 2 s (slow, but within the webhook's read timeout and deadline): calls are greeted. */
    private Outcome acceptSlow(Cluster c) throws Exception {
        Outcome.Builder outcome = new Outcome.Builder("accept-slow");
        c.startWorker(Map.of());
        c.faults("{\"accept_delay_ms\": 2000}");
        try {
            List<String> calls = place(c, 2, 3);
            c.awaitCalls(calls, s -> s.path("greeted").asBoolean(), GREETING_WAIT);
            return check(c, calls, true, outcome);
        } finally {
            c.clearFaults();
        }
    }

    /** An operator hang-up while the call's owner is dead (kill -9): the call still ends at OpenAI promptly. */
    private Outcome commandWhileOwnerDead(Cluster c) throws Exception {
        Outcome.Builder outcome = new Outcome.Builder("command-owner-dead");
        List<Cluster.Worker> workers = List.of(c.startWorker(Map.of()), c.startWorker(Map.of()));
        List<String> calls = place(c, 1, 40);
        requireGreeted(c, calls);
        Cluster.Worker owner = ownerOf(c, calls.getFirst(), workers);
        // the kill lands in a pause of the talk, once the owner stored what it was sent. Killed at once, it died on
        // the greeting's answer and the first exchange, which arrive together right after the greeting, before its
        // fresh JVM stored them: a SIGKILL within a store round trip of a line's arrival loses that line whatever
        // the design (OpenAI cannot replay it), and this scenario is about the command (kill9 kills at random)
        if (!awaitStored(c, calls, FIRST_EXCHANGE_LINES, Duration.ofSeconds(10))) {
            outcome.note("the owner had not stored the greeting and the first exchange within 10 s; killed anyway");
        }
        owner.process().signal("KILL");
        long start = System.nanoTime();
        int status = c.operator(calls.getFirst(), "hangup", "{\"reason\": \"chaos\"}");
        outcome.note("hangup answered HTTP " + status + " after " + (System.nanoTime() - start) / 1_000_000 + " ms");
        Optional<Duration> ended = c.awaitCalls(calls, s -> s.path("ended").asBoolean(), RECOVERY_WAIT);
        outcome.recovery(ended.map(d -> Duration.ofNanos(System.nanoTime() - start)), OWNERLESS_COMMAND_TARGET);
        return check(c, calls, true, outcome);
    }

    // --- shared steps ---------------------------------------------------------------------------------------

    private static List<String> place(Cluster c, int count, int exchanges) throws IOException, InterruptedException {
        List<String> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            calls.add(c.placeCall(exchanges));
        }
        return calls;
    }

    private static void requireGreeted(Cluster c, List<String> calls) throws IOException, InterruptedException {
        if (c.awaitCalls(calls, s -> s.path("greeted").asBoolean(), GREETING_WAIT).isEmpty()) {
            throw new IllegalStateException("calls were not greeted within " + GREETING_WAIT.toSeconds()
                    + " s before the fault: the cluster is not working");
        }
    }

    /**
     * Waits until the simulator has sent at least {@code lines} transcript lines on each call and our side has stored
     * every line sent so far; false when {@code within} passed first.
     */
    private static boolean awaitStored(Cluster c, List<String> calls, int lines, Duration within)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            Map<String, JsonNode> simulator = c.simulatorCalls();
            boolean stored = calls.stream().allMatch(id -> {
                int sent = simulator.containsKey(id) ? simulator.get(id).path("transcriptLines").asInt() : 0;
                return sent >= lines && storedTurns(c, id) >= sent;
            });
            if (stored) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(100); // another process's writes, read over HTTP: polled
        }
    }

    private static int storedTurns(Cluster c, String callId) {
        return c.ourCall(callId).map(j -> j.path("turns").size()).orElse(0);
    }

    private static String ourOwner(Cluster c, String callId) {
        return c.ourCall(callId).map(j -> j.path("call").path("owner").asText("")).orElse("");
    }

    private static Cluster.Worker ownerOf(Cluster c, String callId, List<Cluster.Worker> workers) {
        String owner = ourOwner(c, callId);
        return workers.stream().filter(w -> w.id().equals(owner)).findFirst()
                .orElseThrow(() -> new IllegalStateException("call " + callId + " has no owner among the workers ("
                        + owner + ")"));
    }

    /**
     * The check every scenario ends with. First, calls lost: ended at our side while still live at OpenAI (the
     * simulator), or never greeted when they should have been. Then the caller hangs up every call still live, and
     * after the settle window: calls stuck (still live at our side) and transcript lines lost (lines OpenAI sent on
     * the call's sockets that our side did not store).
     */
    private Outcome check(Cluster c, List<String> calls, boolean expectGreeting, Outcome.Builder outcome)
            throws IOException, InterruptedException {
        outcome.calls(calls.size());
        Map<String, JsonNode> simulator = c.simulatorCalls();
        for (String id : calls) {
            JsonNode sim = simulator.get(id);
            boolean simLive = sim != null && !sim.path("ended").asBoolean();
            Optional<JsonNode> ours = c.ourCall(id);
            if (ours.isPresent() && !ours.get().path("call").path("live").asBoolean() && simLive) {
                outcome.lost(id + " is " + ours.get().path("call").path("status").asText() + " ("
                        + ours.get().path("call").path("endReason").asText() + ") at our side but live at OpenAI");
            } else if (expectGreeting && (sim == null || !sim.path("greeted").asBoolean())) {
                outcome.lost(id + " was never greeted");
            }
            if (simLive) {
                c.callerHangsUp(id);
            }
        }
        long deadline = System.nanoTime() + settle.toNanos();
        List<String> live = new ArrayList<>(calls);
        while (!live.isEmpty() && System.nanoTime() < deadline) {
            live.removeIf(id -> c.ourCall(id).map(j -> !j.path("call").path("live").asBoolean()).orElse(false));
            if (!live.isEmpty()) {
                TimeUnit.MILLISECONDS.sleep(250);
            }
        }
        for (String id : live) {
            String status = c.ourCall(id).map(j -> j.path("call").path("status").asText()).orElse("unknown to the control API");
            outcome.stuck(id + " still " + status + " " + settle.toSeconds() + " s after the caller hung up");
        }
        // a store that lagged delays writes, it must not drop them: the lines may land during the settle window, or
        // at the latest in the workers' flush at SIGTERM; what is not stored after that is lost
        Map<String, JsonNode> after = c.simulatorCalls();
        Map<String, Integer> storedBeforeStop = new LinkedHashMap<>();
        for (String id : calls) {
            int sent = after.containsKey(id) ? after.get(id).path("transcriptLines").asInt() : 0;
            int stored = storedTurns(c, id);
            while (stored < sent && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(250);
                stored = storedTurns(c, id);
            }
            storedBeforeStop.put(id, stored);
        }
        c.stopWorkers();
        for (String id : calls) {
            int sent = after.containsKey(id) ? after.get(id).path("transcriptLines").asInt() : 0;
            int stored = storedTurns(c, id);
            if (stored > storedBeforeStop.get(id)) {
                outcome.note((stored - storedBeforeStop.get(id)) + " transcript line(s) of " + id
                        + " stored only by the workers' flush at SIGTERM (the store was catching up)");
            }
            outcome.transcriptLost(sent - stored, id);
        }
        return outcome.build();
    }
}

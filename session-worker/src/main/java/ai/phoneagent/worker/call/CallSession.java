package ai.phoneagent.worker.call;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.Turn;
import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.openai.CallsOutcome;
import ai.phoneagent.queue.CallMessage;
import ai.phoneagent.tools.TransferMode;
import ai.phoneagent.worker.discord.DiscordText;
import ai.phoneagent.worker.realtime.ClientEvents;
import ai.phoneagent.worker.realtime.Disconnect;
import ai.phoneagent.worker.realtime.RealtimeConnection;
import ai.phoneagent.worker.realtime.RealtimeListener;
import ai.phoneagent.worker.realtime.ServerEvent;
import ai.phoneagent.worker.realtime.ServerEvents;
import ai.phoneagent.worker.tools.ToolContext;
import ai.phoneagent.worker.tools.ToolRunner;
import ai.phoneagent.worker.tools.TransferResult;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One call hosted by this worker: its WebSocket (with one re-attach after a drop), its serial event handling,
 * its tools, and the operator command seam ({@link #hangup}, {@link #transfer}, {@link #sendInstructions}).
 * Thread-safe: socket callbacks, tool threads, the lease keeper and operator commands may all call in.
 */
public final class CallSession implements ToolContext {
    private static final JsonLog LOG = JsonLog.forComponent("call");
    /** Client events kept for the re-attached socket while the old one is gone; beyond this, sends fail. */
    private static final int MAX_DEFERRED = 64;

    /** Where the session is in its life on this worker. */
    public enum State {
        CONNECTING, LIVE, REATTACHING, ENDED, RELEASED, LEASE_LOST,
        /** Dropped without any write, as by a process that died ({@link ai.phoneagent.worker.SessionWorker#halt()}). */
        ABANDONED;

        public boolean isFinal() {
            return this == ENDED || this == RELEASED || this == LEASE_LOST || this == ABANDONED;
        }
    }

    private final String callId;
    private final CallRecord call;
    private final boolean greet;
    private final SessionServices services;
    private final SerialExecutor events;
    private final Executor background = command -> Thread.ofVirtual().name("call-task").start(command);
    private final ToolRunner tools;
    private final Runnable onStopped;
    private final AtomicReference<State> state = new AtomicReference<>(State.CONNECTING);
    private final AtomicInteger generation = new AtomicInteger();
    private final AtomicBoolean attachedOnce = new AtomicBoolean();
    private final AtomicBoolean hangupRequested = new AtomicBoolean();
    private final AtomicBoolean hangupStarted = new AtomicBoolean();
    private final CompletableFuture<String> finished = new CompletableFuture<>();
    private volatile RealtimeConnection connection;
    private volatile boolean reattachTried;
    private volatile boolean hangupAccepted;
    private volatile String endReason;
    private volatile Instant greetingSentAt;
    private volatile Instant leaseUntil;
    /** Guards {@link #deferred} and the swap to a re-attached socket, so deferred events go out first, in order. */
    private final Object outbox = new Object();
    private final ArrayDeque<String> deferred = new ArrayDeque<>();

    /**
     * @param greet     whether this attach is the call's first (a re-attached call is mid-conversation: no greeting)
     * @param onStopped run once when the worker stops hosting the call (frees its capacity slot)
     */
    public CallSession(CallRecord call, boolean greet, SessionServices services, Runnable onStopped) {
        this.callId = call.callId();
        this.call = call;
        this.greet = greet;
        this.services = services;
        this.onStopped = onStopped;
        // the claim sets it; without one, assume nothing is left, so a failing renewal stops the session at once
        this.leaseUntil = call.leaseUntil() != null ? call.leaseUntil() : services.clock().instant();
        this.events = new SerialExecutor("call-" + callId, t -> LOG.error("call event handling failed",
                Map.of("call_id", callId, "error", JsonLog.describe(t))));
        this.tools = new ToolRunner(services.catalog(), services.transfer(), services.httpTools(), this, background);
    }

    // ---------------------------------------------------------------- life cycle

    /** Opens the call's WebSocket; the greeting goes out from the open callback itself. */
    public void start() {
        connect();
    }

    private void connect() {
        int gen = generation.incrementAndGet();
        connection = services.connector().connect(callId, new Listener(gen));
    }

    /** Socket callbacks of one connection attempt; callbacks from an older attempt are ignored. */
    private final class Listener implements RealtimeListener {
        private final int gen;

        Listener(int gen) {
            this.gen = gen;
        }

        private boolean stale() {
            return gen != generation.get();
        }

        @Override
        public void onOpen(RealtimeConnection opened) {
            synchronized (outbox) {
                State before = state.get();
                // a compare-and-set, so a hand-off or lost lease racing this open is never overwritten with LIVE
                if (stale() || before.isFinal() || !state.compareAndSet(before, State.LIVE)) {
                    opened.cancel();
                    return;
                }
                connection = opened;
                reattachTried = false;
                // what tools and commands sent while the socket was down (their outputs must reach the model)
                while (!deferred.isEmpty()) {
                    opened.send(deferred.pollFirst());
                }
            }
            if (attachedOnce.compareAndSet(false, true)) {
                // the greeting is the first thing on the socket: nothing else may delay the caller hearing it
                if (greet) {
                    CallStart.firstResponse(call, services.welcomeMessage()).ifPresent(g -> {
                        opened.send(g);
                        greetingSentAt = services.clock().instant();
                    });
                }
                events.execute(CallSession.this::afterFirstAttach);
            } else {
                events.execute(() -> {
                    LOG.info("call re-attached", Map.of("call_id", callId));
                    recordEvent("reattached", Json.object());
                });
            }
        }

        @Override
        public void onMessage(String text) {
            if (!stale()) {
                events.execute(() -> handle(ServerEvents.parse(text)));
            }
        }

        @Override
        public void onDisconnect(Disconnect disconnect) {
            if (!stale()) {
                events.execute(() -> handleDisconnect(disconnect));
            }
        }
    }

    private void afterFirstAttach() {
        LOG.info("call attached", Map.of("call_id", callId, "greeted", greetingSentAt != null));
        if (greet) {
            services.discord().post(callId, CallStart.startNotice(call, services.maskNumbers()));
        }
        background.execute(() -> {
            try {
                services.lifecycle().onAttached(this);
            } catch (RuntimeException e) {
                LOG.error("attach hook failed", Map.of("call_id", callId, "error", JsonLog.describe(e)));
            }
        });
    }

    private void handleDisconnect(Disconnect disconnect) {
        if (state.get().isFinal()) {
            return;
        }
        Map<String, Object> fields = new HashMap<>();
        fields.put("call_id", callId);
        switch (disconnect) {
            case Disconnect.Closed c -> fields.put("close_code", c.code());
            case Disconnect.Failed f -> {
                fields.put("http_status", f.httpStatus());
                fields.put("error", f.error());
            }
        }
        LOG.info("call socket closed", fields);
        if (hangupAccepted) {
            end(endReason); // we asked OpenAI to hang up and it agreed: this close is the hang-up
        } else if (disconnect.callGone()) {
            end(endReason != null ? endReason : "caller_hangup");
        } else if (!reattachTried) {
            // a drop may be transient; a second attach either works or is refused because the call is over
            reattachTried = true;
            State before = state.get();
            if (!before.isFinal() && state.compareAndSet(before, State.REATTACHING)) {
                connect(); // not when a hand-off or lost lease got in first: the call is no longer ours to attach
            }
        } else {
            end(endReason != null ? endReason : "connection_lost");
        }
    }

    /** Ends the call for good: {@code ENDED} in the store, lease dropped, end notice. Runs once. */
    private void end(String reason) {
        State before = state.get();
        if (before.isFinal() || !state.compareAndSet(before, State.ENDED)) {
            return;
        }
        RealtimeConnection c = connection;
        if (c != null) {
            c.cancel();
        }
        Instant now = services.clock().instant();
        boolean written = false;
        for (int attempt = 1; attempt <= 3 && !written; attempt++) {
            try {
                services.store().markEnded(callId, reason, now);
                written = true;
            } catch (RuntimeException e) {
                LOG.warn("could not mark call ended", Map.of("call_id", callId, "attempt", attempt, "error", JsonLog.describe(e)));
            }
        }
        Instant start = call.attachedAt() != null ? call.attachedAt() : call.createdAt() != null ? call.createdAt() : now;
        Duration duration = Duration.between(start, now);
        services.discord().post(callId, DiscordText.endNotice(duration, reason));
        LOG.info("call ended", Map.of("call_id", callId, "reason", reason, "duration_ms", duration.toMillis()));
        stopped(reason);
        background.execute(() -> services.lifecycle().onEnded(this, reason));
    }

    /**
     * Hands the call to another worker (shutdown): closes the socket without hanging up, marks the call
     * {@code ORPHANED} and re-enqueues it with reason {@code orphaned}.
     */
    public void release() {
        release(Duration.ZERO);
    }

    /**
     * As {@link #release()}, first waiting up to {@code toolGrace} for tools in flight: the next owner cannot know
     * about them, so their outputs must reach the model (and a transfer finish) while this worker still has the
     * socket.
     */
    public void release(Duration toolGrace) {
        if (state.get().isFinal()) {
            return;
        }
        if (tools.inFlight() > 0 && toolGrace.isPositive()) {
            LOG.info("waiting for tools in flight before hand-off", Map.of("call_id", callId,
                    "tools", tools.inFlight(), "grace_ms", toolGrace.toMillis()));
            if (!tools.awaitIdle(toolGrace)) {
                LOG.warn("tools still running at hand-off", Map.of("call_id", callId));
            }
        }
        State before = state.get();
        if (before.isFinal() || !state.compareAndSet(before, State.RELEASED)) {
            return;
        }
        RealtimeConnection c = connection;
        if (c != null) {
            c.close(1001, "worker shutting down");
        }
        try {
            if (services.store().releaseOwnership(callId, services.owner())) {
                services.queue().send(new CallMessage(callId, call.webhookId(),
                        call.acceptedAt() == null ? 0 : call.acceptedAt().toEpochMilli(), CallMessage.Reason.ORPHANED));
                LOG.info("call handed off", Map.of("call_id", callId));
            }
        } catch (RuntimeException e) {
            // the lease still lapses, after which another worker can claim the call
            LOG.error("call hand-off failed", Map.of("call_id", callId, "error", JsonLog.describe(e)));
        }
        stopped("released");
        background.execute(() -> services.lifecycle().onDetached(this, "released"));
    }

    /** The end of the lease this worker last secured (claim or renewal). */
    Instant leaseUntil() {
        return leaseUntil;
    }

    /** A renewal succeeded: the lease now runs until {@code until}. */
    void leaseRenewed(Instant until) {
        leaseUntil = until;
    }

    /** Another worker owns the call now: stop handling it at once, write nothing. */
    public void leaseLost() {
        State before = state.get();
        if (before.isFinal() || !state.compareAndSet(before, State.LEASE_LOST)) {
            return;
        }
        RealtimeConnection c = connection;
        if (c != null) {
            c.cancel();
        }
        LOG.warn("call lease lost; no longer handling it", Map.of("call_id", callId));
        stopped("lease_lost");
        background.execute(() -> services.lifecycle().onDetached(this, "lease_lost"));
    }

    /**
     * Stops hosting the call at once without writing anything, as a crashed process would: the socket is dropped
     * (the call goes on at OpenAI), the lease is left to lapse, the control queue stays. For crash drills and tests.
     */
    public void abandon() {
        State before = state.get();
        if (before.isFinal() || !state.compareAndSet(before, State.ABANDONED)) {
            return;
        }
        RealtimeConnection c = connection;
        if (c != null) {
            c.cancel();
        }
        stopped("abandoned");
    }

    private void stopped(String outcome) {
        try {
            onStopped.run();
        } finally {
            finished.complete(outcome);
        }
    }

    // ---------------------------------------------------------------- events

    private void handle(ServerEvent event) {
        if (state.get().isFinal()) {
            return; // not ours any more, or over
        }
        switch (event) {
            case ServerEvent.CallerTranscriptCompleted e ->
                    services.transcript().record(callId, Turn.Speaker.CALLER, e.transcript(), e.itemId());
            case ServerEvent.AgentTranscriptDone e ->
                    services.transcript().record(callId, Turn.Speaker.AGENT, e.transcript(), e.itemId());
            case ServerEvent.FunctionCallArgumentsDone e -> tools.onFunctionCall(e.call());
            case ServerEvent.OutputItemDone e -> {
                if (e.functionCall() != null) {
                    tools.onFunctionCall(e.functionCall());
                }
            }
            case ServerEvent.ResponseDone e -> {
                e.functionCalls().forEach(tools::onFunctionCall);
                if (hangupRequested.get()) {
                    // the goodbye's response is complete; give its audio a moment to reach the caller
                    background.execute(() -> {
                        sleep(services.endCallDelay());
                        hangupNow("agent_hangup");
                    });
                }
            }
            case ServerEvent.Dtmf e -> recordEvent("dtmf", Json.object().put("digit", e.digit()).put("received_at", e.receivedAt()));
            case ServerEvent.Error e -> {
                ObjectNode details = Json.object();
                putIfPresent(details, "type", e.errorType());
                putIfPresent(details, "code", e.code());
                putIfPresent(details, "message", e.message());
                putIfPresent(details, "event_id", e.eventId());
                LOG.warn("realtime error event", Map.of("call_id", callId, "code", String.valueOf(e.code())));
                recordEvent("error", details);
            }
            case ServerEvent.CallerTranscriptFailed e -> {
                ObjectNode details = Json.object();
                putIfPresent(details, "item_id", e.itemId());
                details.set("error", e.error() == null ? Json.object() : e.error());
                recordEvent("transcription_failed", details);
            }
            case ServerEvent.Malformed e -> LOG.warn("malformed realtime event", Map.of("call_id", callId, "why", e.reason()));
            // partial transcripts, session and speech notices, rate limits and unknown types need nothing from us
            case ServerEvent.CallerTranscriptDelta e -> { }
            case ServerEvent.AgentTranscriptDelta e -> { }
            case ServerEvent.SessionUpdated e -> { }
            case ServerEvent.SpeechStarted e -> { }
            case ServerEvent.ResponseCreated e -> { }
            case ServerEvent.Unknown e -> { }
        }
    }

    // ---------------------------------------------------------------- ToolContext

    @Override
    public String callId() {
        return callId;
    }

    @Override
    public CallRecord call() {
        return call;
    }

    /**
     * Sends on the live socket. While the socket is down and being re-attached, the event is kept (up to a bound)
     * and sent first on the re-attached socket, so a tool that finishes during a drop still answers the model.
     */
    @Override
    public boolean send(String clientEvent) {
        synchronized (outbox) {
            State now = state.get();
            RealtimeConnection c = connection;
            if (now == State.LIVE && deferred.isEmpty() && c != null && c.send(clientEvent)) {
                return true;
            }
            // LIVE with a refused send: the socket just died and its disconnect is on the way
            if ((now == State.LIVE || now == State.REATTACHING) && deferred.size() < MAX_DEFERRED) {
                deferred.addLast(clientEvent);
                return true;
            }
            return false;
        }
    }

    @Override
    public void recordEvent(String kind, JsonNode details) {
        try {
            services.store().appendEvent(callId, kind, details, services.clock().instant());
        } catch (RuntimeException e) {
            LOG.warn("event not recorded", Map.of("call_id", callId, "kind", kind, "error", JsonLog.describe(e)));
        }
    }

    @Override
    public void hangupAfterResponse(String reason) {
        if (hangupRequested.compareAndSet(false, true)) {
            endReason = "agent_hangup";
            // if no response.done ever comes, hang up anyway rather than keep a finished call open
            background.execute(() -> {
                sleep(services.endCallTimeout());
                hangupNow("agent_hangup");
            });
        }
    }

    // ---------------------------------------------------------------- operator command seam

    /** Ends the call now ({@code operator_hangup} or another reason); the end is recorded when the socket closes. */
    public CommandResult hangup(String reason) {
        if (state.get().isFinal()) {
            return CommandResult.failed("call_ended", "The call is no longer handled here.");
        }
        return hangupNow(reason == null || reason.isBlank() ? "operator_hangup" : reason);
    }

    /**
     * Transfers the caller to a configured target by name ({@code null}: the default). Unless {@code silent}, the
     * agent first tells the caller they are being connected.
     */
    public CommandResult transfer(String targetName, String reason, boolean silent) {
        return transfer(targetName, reason, silent, Optional.empty());
    }

    /** As {@link #transfer(String, String, boolean)}, optionally overriding the target's warm/cold mode. */
    public CommandResult transfer(String targetName, String reason, boolean silent, Optional<TransferMode> mode) {
        return transfer(targetName, reason, silent, mode, Optional.empty());
    }

    /**
     * As {@link #transfer(String, String, boolean, Optional)}; unless {@code silent}, the agent tells the caller
     * {@code message} (the operator's words) or, without one, that they are being connected.
     */
    public CommandResult transfer(String targetName, String reason, boolean silent, Optional<TransferMode> mode,
                                  Optional<String> message) {
        if (state.get().isFinal()) {
            return CommandResult.failed("call_ended", "The call is no longer handled here.");
        }
        if (!silent && services.transfer().config().resolve(targetName).isPresent()) {
            String say = message.map(String::strip).filter(m -> !m.isEmpty())
                    .map(m -> "An operator is transferring this call to a person now. Tell the caller, in the"
                            + " conversation's language: \"" + m.replace('"', '\'') + "\"")
                    .orElse("An operator is transferring this call to a person now. Briefly tell the caller you are"
                            + " connecting them.");
            send(ClientEvents.systemMessage(say));
            send(ClientEvents.responseCreate());
        }
        TransferResult result = services.transfer().transfer(call, targetName, reason, mode, "operator");
        return switch (result) {
            case TransferResult.Started s -> CommandResult.done("Transfer to " + s.target().name() + " started");
            case TransferResult.Refused r -> CommandResult.failed(r.code(), r.speakable());
            case TransferResult.Failed f -> CommandResult.failed(f.code(), f.speakable());
        };
    }

    /** Gives the live agent new instructions as a system message; with {@code respond}, it answers at once. */
    public CommandResult sendInstructions(String text, boolean respond) {
        if (text == null || text.isBlank()) {
            return CommandResult.failed("invalid_request", "Instructions are empty.");
        }
        if (!send(ClientEvents.systemMessage(text))) {
            return CommandResult.failed("call_ended", "The call's connection is not open.");
        }
        if (respond) {
            send(ClientEvents.responseCreate());
        }
        recordEvent("instructions", Json.object().put("source", "operator").put("respond", respond)
                .put("length", text.length()));
        return CommandResult.done("Instructions sent");
    }

    private CommandResult hangupNow(String reason) {
        if (!hangupStarted.compareAndSet(false, true)) {
            return CommandResult.done("Hang-up already in progress");
        }
        if (state.get().isFinal()) {
            return CommandResult.failed("call_ended", "The call is no longer handled here.");
        }
        endReason = reason;
        CallsOutcome outcome = services.calls().hangup(callId);
        recordEvent("hangup", Json.object().put("reason", reason).put("outcome", outcome.getClass().getSimpleName()));
        LOG.info("hang-up requested", Map.of("call_id", callId, "reason", reason, "outcome", outcome.getClass().getSimpleName()));
        return switch (outcome) {
            case CallsOutcome.Done d -> {
                hangupAccepted = true;
                yield CommandResult.done("Hang-up started");
            }
            case CallsOutcome.Gone g -> {
                hangupAccepted = true;
                events.execute(() -> end(reason));
                yield CommandResult.done("The call had already ended");
            }
            case CallsOutcome.Refused r -> {
                hangupStarted.set(false);
                yield CommandResult.failed("upstream_error", "OpenAI refused the hang-up: " + r.message());
            }
            case CallsOutcome.Unavailable u -> {
                hangupStarted.set(false);
                yield CommandResult.failed("upstream_error", "OpenAI was unavailable: " + u.reason());
            }
        };
    }

    // ---------------------------------------------------------------- views

    public State state() {
        return state.get();
    }

    /**
     * Completes with {@code caller_hangup}-style end reasons, {@code released}, {@code lease_lost} or
     * {@code abandoned} when the worker stops hosting the call.
     */
    public CompletableFuture<String> finished() {
        return finished;
    }

    /** When the greeting went out, if it did. */
    public Optional<Instant> greetingSentAt() {
        return Optional.ofNullable(greetingSentAt);
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

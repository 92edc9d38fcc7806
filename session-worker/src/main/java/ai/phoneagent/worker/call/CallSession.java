package ai.phoneagent.worker.call;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.EndReason;
import ai.phoneagent.call.Turn;
import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.logging.LogContext;
import ai.phoneagent.metrics.Dimension;
import ai.phoneagent.metrics.EmfWriter;
import ai.phoneagent.metrics.Measurement;
import ai.phoneagent.metrics.Metric;
import ai.phoneagent.metrics.MetricRecorder;
import ai.phoneagent.openai.CallsOutcome;
import ai.phoneagent.openai.RetryPolicy;
import ai.phoneagent.openai.RetryRunner;
import ai.phoneagent.queue.CallMessage;
import ai.phoneagent.tools.TransferMode;
import ai.phoneagent.worker.call.CallMachine.Effect;
import ai.phoneagent.worker.call.CallMachine.Input;
import ai.phoneagent.worker.call.CallMachine.Phase;
import ai.phoneagent.worker.events.LiveEvent;
import ai.phoneagent.worker.realtime.ClientEvents;
import ai.phoneagent.worker.realtime.Disconnect;
import ai.phoneagent.worker.realtime.RealtimeConnection;
import ai.phoneagent.worker.realtime.RealtimeListener;
import ai.phoneagent.worker.realtime.ServerEvent;
import ai.phoneagent.worker.realtime.ServerEvents;
import ai.phoneagent.worker.tools.ToolHost;
import ai.phoneagent.worker.tools.ToolRunner;
import ai.phoneagent.worker.tools.TransferResult;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One call hosted by this worker, as an actor: every piece of its state is touched only by its mailbox (a
 * {@link SerialExecutor}: one virtual thread while there is work, none while idle). Socket callbacks, tool outputs,
 * operator commands, ownership changes and timers are messages; blocking work (OpenAI's hang-up, store writes,
 * Twilio) runs on the shared I/O executor and posts its result back. The decisions are {@link CallMachine}'s; this
 * class routes events and carries out the machine's effects.
 */
public final class CallSession implements ToolHost {
    private static final JsonLog LOG = JsonLog.forComponent("call");
    private static final MetricRecorder METRICS = EmfWriter.toLogStream();
    /** Client events kept while the socket is down; beyond this, sends are dropped (and logged). */
    private static final int MAX_DEFERRED = 64;
    /** Bound on an operator's wait for OpenAI's answer to a hang-up (its retries run inside it). */
    private static final Duration COMMAND_WAIT = Duration.ofSeconds(20);
    /** How long a hand-off (twice that: an end) waits for the call's pending transcript writes. */
    private static final Duration HANDOFF_FLUSH = Duration.ofSeconds(2);
    /** How many times the greeting's record is tried (a lost one costs at most a repeated greeting after a take-over). */
    private static final int GREETED_WRITE_ATTEMPTS = 4;
    /** How long an {@code ENDED} write is retried before the sweep is left to deal with the call. */
    private static final Duration END_WRITE_WINDOW = Duration.ofMinutes(5);
    private static final Duration STORE_RETRY_MIN_PAUSE = Duration.ofMillis(50);

    private final String callId;
    private final CallRecord call;
    /** The call as this worker's end write left it; null before that write landed ({@link #endedAs}). */
    private volatile CallRecord endedAs;
    /** This claim attached the call for the first time (a fresh call from the queue, not a hand-off or take-over). */
    private final boolean firstAttach;
    /** The call's greeting had not gone out when this worker took it: it greets, and the call starts here. */
    private final boolean greetingDueAtStart;
    private final SessionServices services;
    private final SerialExecutor mailbox;
    /** The call's ids on every line its work writes: the mailbox, and I/O tasks it hands over, run in it. */
    private final LogContext context;
    private final ToolRunner tools;
    private final Runnable onStopped;
    private final CompletableFuture<String> finished = new CompletableFuture<>();

    // ---- owned by the mailbox
    private final CallMachine machine;
    private RealtimeConnection socket;
    private final ArrayDeque<String> outbox = new ArrayDeque<>();
    private final List<CompletableFuture<CommandResult>> hangupWaiters = new ArrayList<>();
    /** Speaker and item id of every final utterance taken (on the sockets' readers, hence concurrent). */
    private final Set<String> utterances = ConcurrentHashMap.newKeySet();
    private boolean agentHangupPending;

    // ---- read by other threads
    private volatile Phase phase = Phase.CONNECTING;
    private volatile Instant greetingSentAt;

    /**
     * @param firstAttach whether this claim attached the call for the first time; whether it greets is decided by
     *                    the call's stored greeting ({@link GreetingPolicy#due}), this only for calls stored without one
     * @param onStopped   run once when the worker stops hosting the call (frees its capacity slot)
     */
    public CallSession(CallRecord call, boolean firstAttach, SessionServices services, Runnable onStopped) {
        this.callId = call.callId();
        this.call = call;
        this.firstAttach = firstAttach;
        this.greetingDueAtStart = GreetingPolicy.due(call, firstAttach);
        this.services = services;
        this.onStopped = onStopped;
        this.machine = new CallMachine(greetingDueAtStart, services.reattach());
        // the call's stored trace; else the one the queue message brought; else (older calls) a new one
        String traceId = call.traceId() != null ? call.traceId() : LogContext.traceIdFor(callId);
        this.context = LogContext.ofCall(callId, traceId);
        this.mailbox = new SerialExecutor("call-" + callId, context, t -> LOG.error("call event handling failed",
                Map.of("call_id", callId, "error", JsonLog.describe(t))));
        this.tools = new ToolRunner(services.tools(), services.transfer(), services.toolHttp(), services.clock(), this,
                services.io());
        services.journal().open(callId, call.nextSeq()); // the claim just read it: a turn is one write
    }

    // ---------------------------------------------------------------- mailbox

    /** Opens the call's WebSocket; the greeting goes out as soon as it is open. */
    public void start() {
        tools.checkCatalog(call.toolCatalog());
        mailbox.execute(() -> apply(machine.start()));
    }

    private void feed(Input input) {
        mailbox.execute(() -> apply(machine.on(input, services.clock().instant())));
    }

    private void apply(List<Effect> effects) {
        for (Effect effect : effects) {
            switch (effect) {
                case Effect.OpenSocket o -> openSocket(o.generation());
                case Effect.ScheduleConnect c -> schedule(c.delay(), new Input.ConnectDue(c.generation()));
                case Effect.DiscardSocket d -> { } // the socket in hand is cancelled by the caller of apply
                case Effect.Greet g -> greetNow();
                case Effect.RecordGreeted g -> recordGreeted();
                case Effect.Attached a -> attached(a.first());
                case Effect.CallOpenAiHangup h -> callOpenAiHangup(h.reason());
                case Effect.ScheduleHangupCloseCheck c -> schedule(c.after(), new Input.HangupCloseOverdue());
                case Effect.End e -> end(e.reason());
                case Effect.Release r -> releaseNow(r.why());
                case Effect.Stop s -> stopNow(s.why());
                case Effect.AttachRefused r -> services.attachHealth().failed(callId, r.failure());
            }
        }
        phase = machine.phase();
    }

    private void inMailbox(Runnable task) {
        if (mailbox.inContext()) {
            task.run();
        } else {
            mailbox.execute(task);
        }
    }

    private void schedule(Duration delay, Input input) {
        services.timers().schedule(() -> feed(input), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- the socket link

    private void openSocket(int generation) {
        try {
            RealtimeConnection opening = services.connector().connect(callId, new Listener(generation));
            // an upgrade that never answers is cut off; its failure then comes through the listener like any other
            services.timers().schedule(() -> mailbox.execute(() -> {
                if (machine.generation() == generation && machine.phase() != Phase.LIVE && !machine.phase().isFinal()) {
                    LOG.warn("call attach timed out", Map.of("call_id", callId, "timeout_ms", services.attachTimeout().toMillis()));
                    opening.cancel();
                }
            }), services.attachTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            LOG.warn("call socket not started", Map.of("call_id", callId, "error", JsonLog.describe(e)));
            feed(new Input.Dropped(generation, new Disconnect.Failed(0, JsonLog.describe(e))));
        }
    }

    /** Callbacks of one connection attempt, posted to the mailbox; the machine ignores older generations. */
    private final class Listener implements RealtimeListener {
        private final int generation;

        Listener(int generation) {
            this.generation = generation;
        }

        @Override
        public void onOpen(RealtimeConnection opened) {
            mailbox.execute(() -> {
                List<Effect> effects = machine.on(new Input.Opened(generation), services.clock().instant());
                if (effects.stream().anyMatch(e -> e instanceof Effect.DiscardSocket)) {
                    opened.cancel();
                } else {
                    socket = opened;
                }
                apply(effects);
            });
        }

        @Override
        public void onMessage(String text) {
            ServerEvent event = ServerEvents.parse(text); // parsed on the reader, handled in order by the mailbox
            journalLine(event); // a final utterance goes to the journal from here: nothing in the mailbox is ahead of it
            if (!routed(event)) {
                return; // most of a call's events: no task, no thread hand-off
            }
            mailbox.execute(() -> {
                if (generation == machine.generation() && machine.phase() == Phase.LIVE) {
                    handle(event);
                }
            });
        }

        @Override
        public void onDisconnect(Disconnect disconnect) {
            mailbox.execute(() -> {
                if (generation == machine.generation() && !machine.phase().isFinal()) {
                    Map<String, Object> fields = new HashMap<>();
                    fields.put("call_id", callId);
                    fields.put("generation", generation);
                    switch (disconnect) {
                        case Disconnect.Closed c -> fields.put("close_code", c.code());
                        case Disconnect.Failed f -> {
                            fields.put("http_status", f.httpStatus());
                            fields.put("error", f.error());
                        }
                    }
                    LOG.info("call socket closed", fields);
                    socket = null;
                }
                apply(machine.on(new Input.Dropped(generation, disconnect), services.clock().instant()));
            });
        }
    }

    private void greetNow() {
        Optional<String> greeting = services.greeting().firstResponse(call);
        if (greeting.isEmpty()) {
            // nothing to say first: the opening is the caller's, and a later owner has no greeting to give either
            apply(machine.on(new Input.Greeted(), services.clock().instant()));
            return;
        }
        greeting.ifPresent(event -> {
            if (socket != null && socket.send(event)) {
                greetingSentAt = services.clock().instant();
                recordGreeting(greetingSentAt);
            }
        });
    }

    /** Stores that the greeting went out, off the mailbox; conditional on this worker still owning the call. */
    private void recordGreeted() {
        Instant at = services.clock().instant();
        services.io().execute(() -> storeWrites(services.reattach(), GREETED_WRITE_ATTEMPTS).run(
                () -> services.store().markGreeted(callId, services.owner(), at),
                LOG, "could not store that the call was greeted", Map.of("call_id", callId)));
    }

    /** The caller's wait (accept to greeting) and the queue's share of it (accept to claim), written off the mailbox. */
    private void recordGreeting(Instant sentAt) {
        if (call.acceptedAt() == null) {
            return;
        }
        String direction = direction();
        List<Measurement> taken = new ArrayList<>(2);
        taken.add(Measurement.of(Metric.GREETING_WAIT, Duration.between(call.acceptedAt(), sentAt).toMillis())
                .with(Dimension.CALL_DIRECTION, direction).property("call_id", callId));
        if (call.attachedAt() != null) {
            taken.add(Measurement.of(Metric.QUEUE_WAIT, Duration.between(call.acceptedAt(), call.attachedAt()).toMillis())
                    .with(Dimension.CALL_DIRECTION, direction).property("call_id", callId));
        }
        services.io().execute(() -> METRICS.record(taken));
    }

    private String direction() {
        return call.outbound() ? "outbound" : "inbound";
    }

    private void attached(boolean first) {
        services.attachHealth().attached();
        // what tools and commands sent while the socket was down (their outputs must reach the model)
        while (!outbox.isEmpty() && socket != null && socket.send(outbox.peekFirst())) {
            outbox.pollFirst();
        }
        if (first) {
            LOG.info("call attached", Map.of("call_id", callId, "greeted", greetingSentAt != null));
            if (firstAttach || greetingDueAtStart) {
                services.events().publish(new LiveEvent.CallStarted(callId, call.from(), call.to(), call.outbound(), call.launchId()));
            }
            if (!firstAttach) {
                recordEvent("reattached", Json.object().put("owner", services.owner()));
            }
            services.io().execute(() -> services.lifecycle().onAttached(this));
        } else {
            LOG.info("call re-attached", Map.of("call_id", callId));
            services.io().execute(() -> METRICS.record(Measurement.one(Metric.REATTACHES).property("call_id", callId)));
            recordEvent("reattached", Json.object().put("owner", services.owner()));
        }
    }

    private void sendNow(String clientEvent) {
        if (machine.phase().isFinal()) {
            return;
        }
        if (machine.phase() == Phase.LIVE && outbox.isEmpty() && socket != null && socket.send(clientEvent)) {
            return;
        }
        if (outbox.size() < MAX_DEFERRED) {
            outbox.addLast(clientEvent); // sent first on the re-attached socket
        } else {
            LOG.warn("client event dropped: socket down and outbox full", Map.of("call_id", callId));
        }
    }

    // ---------------------------------------------------------------- events (the router)

    /**
     * Whether {@link #handle} acts on the event: partial transcripts, session and speech notices and unknown types need
     * nothing from us, and final utterances are taken on the socket's reader ({@link #journalLine}).
     */
    private static boolean routed(ServerEvent event) {
        return switch (event) {
            case ServerEvent.CallerTranscriptDelta e -> false;
            case ServerEvent.AgentTranscriptDelta e -> false;
            case ServerEvent.SessionUpdated e -> false;
            case ServerEvent.SpeechStarted e -> false;
            case ServerEvent.Unknown e -> false;
            case ServerEvent.CallerTranscriptCompleted e -> false;
            case ServerEvent.AgentTranscriptDone e -> false;
            default -> true;
        };
    }

    private void handle(ServerEvent event) {
        switch (event) {
            // never routed here (routed): taken on the socket's reader (journalLine), or needing nothing from us
            case ServerEvent.CallerTranscriptCompleted e -> { }
            case ServerEvent.AgentTranscriptDone e -> { }
            case ServerEvent.FunctionCallArgumentsDone e -> tools.onFunctionCall(e.call());
            case ServerEvent.OutputItemDone e -> {
                if (e.functionCall() != null) {
                    tools.onFunctionCall(e.functionCall());
                }
            }
            case ServerEvent.ResponseDone e -> {
                e.functionCalls().forEach(tools::onFunctionCall);
                if (agentHangupPending) {
                    // the goodbye's response is complete; give its audio a moment to reach the caller
                    schedule(services.endCallDelay(), new Input.HangupRequested(EndReason.AGENT_HANGUP));
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
            case ServerEvent.CallerTranscriptDelta e -> { }
            case ServerEvent.AgentTranscriptDelta e -> { }
            case ServerEvent.SessionUpdated e -> { }
            case ServerEvent.SpeechStarted e -> { }
            case ServerEvent.ResponseCreated e -> apply(machine.on(new Input.Greeted(), services.clock().instant()));
            case ServerEvent.Unknown e -> { }
        }
    }

    /**
     * A final utterance, on the socket's reader as it arrives: queued on the call's journal lane at once (not behind
     * the events waiting in the mailbox), and shown live by the lane as its store write starts; once per speaker and
     * item id.
     */
    private void journalLine(ServerEvent event) {
        switch (event) {
            case ServerEvent.CallerTranscriptCompleted e -> utterance(Turn.Speaker.CALLER, e.transcript(), e.itemId());
            case ServerEvent.AgentTranscriptDone e -> utterance(Turn.Speaker.AGENT, e.transcript(), e.itemId());
            default -> { }
        }
    }

    private void utterance(Turn.Speaker speaker, String text, String itemId) {
        if (text == null || text.isBlank()) {
            return;
        }
        if (itemId != null && !utterances.add(speaker.wireName() + "#" + itemId)) {
            return; // a repeated event
        }
        LiveEvent.Utterance shown = new LiveEvent.Utterance(callId, speaker, text.strip());
        // observers hear the line once its write is under way, through the mailbox: after the call's start (published
        // there when the socket opened, before this line arrived) and in the order the lines were received
        services.journal().turn(callId, speaker, text, itemId, () -> mailbox.execute(() -> services.events().publish(shown)));
    }

    // ---------------------------------------------------------------- actions

    private void callOpenAiHangup(EndReason reason) {
        LOG.info("asking OpenAI to hang up", Map.of("call_id", callId, "reason", reason.code()));
        services.io().execute(() -> {
            CallsOutcome outcome = services.calls().hangup(callId);
            LOG.info("hang-up requested", Map.of("call_id", callId, "reason", reason.code(),
                    "outcome", outcome.getClass().getSimpleName()));
            recordEvent("hangup", Json.object().put("reason", reason.code()).put("outcome", outcome.getClass().getSimpleName()));
            CallMachine.HangupAnswer answer = switch (outcome) {
                case CallsOutcome.Done d -> CallMachine.HangupAnswer.ACCEPTED;
                case CallsOutcome.Gone g -> CallMachine.HangupAnswer.GONE;
                case CallsOutcome.Refused r -> CallMachine.HangupAnswer.FAILED;
                case CallsOutcome.Unavailable u -> CallMachine.HangupAnswer.FAILED;
            };
            CommandResult result = switch (outcome) {
                case CallsOutcome.Done d -> CommandResult.done("Hang-up started");
                case CallsOutcome.Gone g -> CommandResult.done("The call had already ended");
                case CallsOutcome.Refused r -> CommandResult.failed(CommandResult.UPSTREAM_ERROR,
                        "OpenAI refused the hang-up: " + r.message());
                case CallsOutcome.Unavailable u -> CommandResult.failed(CommandResult.UPSTREAM_ERROR,
                        "OpenAI was unavailable: " + u.reason());
            };
            mailbox.execute(() -> {
                // answered first: the end this answer may cause must not turn the waiters' answer into call_ended
                hangupWaiters.forEach(w -> w.complete(result));
                hangupWaiters.clear();
                apply(machine.on(new Input.HangupAnswered(reason, answer), services.clock().instant()));
            });
        });
    }

    /** The call is over: {@code ENDED} in the store (retried off the mailbox), end notice, capacity freed. */
    private void end(EndReason reason) {
        dropSocket();
        Instant now = services.clock().instant();
        Instant start = call.attachedAt() != null ? call.attachedAt() : call.createdAt() != null ? call.createdAt() : now;
        Duration duration = Duration.between(start, now);
        services.io().execute(() -> {
            // what the call said is stored before it reads as ENDED (bounded: an outage must not hold the end)
            if (!services.journal().flush(callId, HANDOFF_FLUSH.multipliedBy(2))) {
                LOG.warn("transcript writes still pending at the end; they go on", Map.of("call_id", callId));
            }
            writeEnded(reason, now);
            // the stored reason, which for an end this worker only saw may be the control side's hang-up
            String stored = endedAs != null && endedAs.endReason() != null ? endedAs.endReason() : reason.code();
            LOG.info("call ended", Map.of("call_id", callId, "reason", stored, "duration_ms", duration.toMillis()));
            services.events().publish(new LiveEvent.CallEnded(callId, duration, stored));
            METRICS.record(Measurement.one(Metric.CALLS_ENDED).with(Dimension.CALL_DIRECTION, direction())
                    .with(Dimension.REASON, stored).property("call_id", callId)
                    .property("duration_ms", duration.toMillis()));
            stopped(stored);
            services.lifecycle().onEnded(this, stored);
        });
    }

    /**
     * Stores the end. An end this worker only saw (the caller hung up, as far as it knows) is stored by
     * {@link ai.phoneagent.call.CallStore#endObserved}, which takes the reason of a hang-up the control side has just
     * sent instead.
     */
    private void writeEnded(EndReason reason, Instant at) {
        RetryPolicy backoff = services.reattach();
        RetryPolicy window = new RetryPolicy(END_WRITE_WINDOW, backoff.baseDelay(), backoff.maxDelay(), backoff.random());
        boolean observed = reason.equals(EndReason.CALLER_HANGUP);
        var outcome = storeWrites(window, Integer.MAX_VALUE).run(() -> observed
                        ? services.store().endObserved(callId, reason.code(), at)
                        : services.store().endCall(callId, reason.code(), at),
                LOG, "could not mark call ended", Map.of("call_id", callId));
        switch (outcome) {
            case RetryRunner.Outcome.Done<Optional<CallRecord>> done -> endedAs = done.value().orElse(null);
            case RetryRunner.Outcome.GaveUp<Optional<CallRecord>> gaveUp ->
                    LOG.error("call end not stored; the sweep ends it later", Map.of("call_id", callId));
        }
    }

    /**
     * The call item as this worker's end write left it (e.g. whether a control queue was made for the call), once that
     * write landed; empty before, when the call had ended already, or when the write gave up.
     */
    public Optional<CallRecord> endedAs() {
        return Optional.ofNullable(endedAs);
    }

    /** A store write's retries: {@code policy}'s backoff (at least 50 ms apart) within its deadline. */
    private RetryRunner storeWrites(RetryPolicy policy, int maxAttempts) {
        return new RetryRunner(policy, maxAttempts, STORE_RETRY_MIN_PAUSE, services.clock(), RetryRunner.Sleeper.PARK);
    }

    /** Hands the call over: socket closed (the call goes on), transcript flushed, {@code ORPHANED} + queue message. */
    private void releaseNow(String why) {
        if (socket != null) {
            socket.close(1001, "worker hands the call over");
            socket = null;
        }
        // a call whose greeting has not gone out is handed on as new: the next owner greets it
        boolean neverGreeted = machine.greetingDue();
        services.io().execute(() -> {
            if (!services.journal().flush(callId, HANDOFF_FLUSH)) {
                LOG.warn("transcript writes still pending at hand-off; they go on", Map.of("call_id", callId));
            }
            try {
                if (services.store().releaseOwnership(callId, services.owner(), neverGreeted,
                        services.clock().instant())) {
                    services.queue().send(new CallMessage(callId, call.webhookId(),
                            call.acceptedAt() == null ? 0 : call.acceptedAt().toEpochMilli(),
                            neverGreeted ? CallMessage.Reason.INCOMING : CallMessage.Reason.ORPHANED));
                    LOG.info("call handed off", Map.of("call_id", callId, "why", why, "greeted", !neverGreeted));
                    METRICS.record(Measurement.one(Metric.HANDOFFS).with(Dimension.REASON, why).property("call_id", callId));
                }
            } catch (RuntimeException e) {
                // the call still points at this worker; once its heartbeat stops, another worker takes it over
                LOG.error("call hand-off failed", Map.of("call_id", callId, "why", why, "error", JsonLog.describe(e)));
            }
            stopped("released");
            services.lifecycle().onDetached(this, "released");
        });
    }

    private void stopNow(String why) {
        dropSocket();
        if (!"abandoned".equals(why)) {
            LOG.warn("call no longer ours; stopped without writing", Map.of("call_id", callId, "why", why));
            services.io().execute(() -> services.lifecycle().onDetached(this, why));
        }
        stopped(why);
    }

    private void dropSocket() {
        if (socket != null) {
            socket.cancel();
            socket = null;
        }
        hangupWaiters.forEach(w -> w.complete(CommandResult.failed(CommandResult.CALL_ENDED,
                "The call is no longer handled here.")));
        hangupWaiters.clear();
    }

    private void stopped(String outcome) {
        if (finished.isDone()) {
            return;
        }
        try {
            services.journal().close(callId);
            onStopped.run();
        } finally {
            finished.complete(outcome);
        }
    }

    // ---------------------------------------------------------------- ownership messages

    /**
     * Hands the call to another worker (shutdown, unhealthy worker): closes the socket without hanging up, marks the
     * call {@code ORPHANED} and re-enqueues it. First waits up to {@code toolGrace} for tools in flight (the next
     * owner cannot know about them), then up to {@code writeBound} for the hand-off writes.
     */
    public void release(Duration toolGrace, Duration writeBound) {
        if (phase.isFinal()) {
            return;
        }
        if (tools.inFlight() > 0 && toolGrace.isPositive()) {
            LOG.info("waiting for tools in flight before hand-off", Map.of("call_id", callId,
                    "tools", tools.inFlight(), "grace_ms", toolGrace.toMillis()));
            if (!tools.awaitIdle(toolGrace)) {
                LOG.warn("tools still running at hand-off", Map.of("call_id", callId));
            }
        }
        feed(new Input.ReleaseRequested("handoff"));
        await(writeBound);
    }

    /** As {@link #release(Duration, Duration)} without waiting for tools. */
    public void release() {
        release(Duration.ZERO, Duration.ofSeconds(10));
    }

    /**
     * OpenAI took a hang-up of this call that the control side sent: the socket's close is that hang-up, so the call
     * ends with {@code reason} once it closes (at once when it has), with no re-attach to learn that it is over.
     */
    public void hungUpElsewhere(EndReason reason) {
        feed(new Input.HangupAnswered(reason, CallMachine.HangupAnswer.ACCEPTED));
    }

    /** Another worker owns the call now: stop handling it at once, write nothing. */
    public void ownershipLost() {
        feed(new Input.OwnershipLost());
    }

    /**
     * Stops hosting the call at once without writing anything, as a crashed process would: the socket is dropped
     * (the call goes on at OpenAI), the call keeps pointing at this worker, the control queue stays.
     */
    public void abandon() {
        feed(new Input.Abandon());
        await(Duration.ofSeconds(2));
    }

    private void await(Duration bound) {
        try {
            finished.get(Math.max(1, bound.toMillis()), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- ToolHost

    @Override
    public String callId() {
        return callId;
    }

    @Override
    public CallRecord call() {
        return call;
    }

    /** The call's logging context (its call and trace ids), for work about it on other threads. */
    public LogContext logContext() {
        return context;
    }

    /**
     * Sends on the live socket, in order with everything else the call sends. While the socket is down the event is
     * kept (up to a bound) and sent first on the re-attached socket. False once the call is no longer hosted here.
     */
    @Override
    public boolean send(String clientEvent) {
        if (phase.isFinal()) {
            return false;
        }
        mailbox.execute(() -> sendNow(clientEvent));
        return true;
    }

    @Override
    public void recordEvent(String kind, JsonNode details) {
        services.journal().event(callId, kind, details);
    }

    @Override
    public void hangupAfterResponse(String reason) {
        // the tool runner calls this while the mailbox handles the function call: decide it at once, so the
        // response.done already queued behind it sees it
        inMailbox(() -> {
            if (agentHangupPending) {
                return;
            }
            agentHangupPending = true;
            recordEvent("end_call", Json.object().put("reason", reason == null ? "" : reason));
            // if no response.done ever comes, hang up anyway rather than keep a finished call open
            schedule(services.endCallTimeout(), new Input.HangupRequested(EndReason.AGENT_HANGUP));
        });
    }

    // ---------------------------------------------------------------- operator command seam

    /**
     * Ends the call now: OpenAI's hang-up first; the call ends with {@code reason} once OpenAI accepts it. Answers
     * when OpenAI has answered.
     */
    public CommandResult hangup(EndReason reason) {
        CompletableFuture<CommandResult> answer = new CompletableFuture<>();
        mailbox.execute(() -> {
            if (machine.phase().isFinal()) {
                answer.complete(CommandResult.failed(CommandResult.CALL_ENDED, "The call is no longer handled here."));
            } else if (machine.hangingUp()) {
                answer.complete(CommandResult.done("Hang-up already in progress"));
            } else {
                hangupWaiters.add(answer);
                apply(machine.on(new Input.HangupRequested(reason), services.clock().instant()));
            }
        });
        try {
            return answer.get(COMMAND_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CommandResult.failed(CommandResult.UPSTREAM_ERROR, "Interrupted while waiting for OpenAI");
        } catch (Exception e) {
            return CommandResult.failed(CommandResult.UPSTREAM_ERROR, "OpenAI did not answer the hang-up in time");
        }
    }

    /** As {@link #hangup(EndReason)}; a reason that is not a code becomes {@code operator_hangup}. */
    public CommandResult hangup(String reason) {
        return hangup(EndReason.codeOr(reason, EndReason.OPERATOR_HANGUP));
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
     * {@code message} (the operator's words) or, without one, that they are being connected. Twilio and OpenAI are
     * called on the caller's thread, never on the call's mailbox.
     */
    public CommandResult transfer(String targetName, String reason, boolean silent, Optional<TransferMode> mode,
                                  Optional<String> message) {
        if (phase.isFinal()) {
            return CommandResult.failed(CommandResult.CALL_ENDED, "The call is no longer handled here.");
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
            return CommandResult.failed(CommandResult.INVALID_REQUEST, "Instructions are empty.");
        }
        if (!send(ClientEvents.systemMessage(text))) {
            return CommandResult.failed(CommandResult.CALL_ENDED, "The call is no longer handled here.");
        }
        if (respond) {
            send(ClientEvents.responseCreate());
        }
        recordEvent("instructions", Json.object().put("source", "operator").put("respond", respond)
                .put("length", text.length()));
        return CommandResult.done("Instructions sent");
    }

    // ---------------------------------------------------------------- views

    public Phase state() {
        return phase;
    }

    /**
     * Completes with the end reason ({@code caller_hangup}, …), {@code released}, {@code ownership_lost} or
     * {@code abandoned} when the worker stops hosting the call.
     */
    public CompletableFuture<String> finished() {
        return finished;
    }

    /** When the greeting went out, if it did. */
    public Optional<Instant> greetingSentAt() {
        return Optional.ofNullable(greetingSentAt);
    }

    /** Tools of this call still running. */
    public int toolsInFlight() {
        return tools.inFlight();
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}

package ai.phoneagent.worker;

import ai.phoneagent.aws.AwsClients;
import ai.phoneagent.command.CommandStore;
import ai.phoneagent.command.ControlQueues;
import ai.phoneagent.call.WorkerHeartbeats;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.logging.LogContext;
import ai.phoneagent.metrics.EmfWriter;
import ai.phoneagent.metrics.Measurement;
import ai.phoneagent.metrics.Metric;
import ai.phoneagent.openai.RetryPolicy;
import ai.phoneagent.tools.ToolRegistry;
import ai.phoneagent.worker.call.Admission;
import ai.phoneagent.worker.call.CallLifecycleListener;
import ai.phoneagent.worker.call.CallRegistry;
import ai.phoneagent.worker.call.CallSession;
import ai.phoneagent.worker.call.AttachHealth;
import ai.phoneagent.worker.call.GreetingPolicy;
import ai.phoneagent.worker.call.SessionServices;
import ai.phoneagent.worker.control.CommandExecutor;
import ai.phoneagent.worker.control.ControlQueueListener;
import ai.phoneagent.worker.control.Sweeper;
import ai.phoneagent.callevents.CallEventsQueue;
import ai.phoneagent.worker.events.CallEventDeliverer;
import ai.phoneagent.worker.events.CallEventPayloads;
import ai.phoneagent.worker.events.CallEventPublisher;
import ai.phoneagent.worker.events.DiscordEventSink;
import ai.phoneagent.worker.events.LiveEventSink;
import ai.phoneagent.worker.health.HealthServer;
import ai.phoneagent.worker.queue.QueuedCallIntake;
import ai.phoneagent.worker.queue.QueuePoller;
import ai.phoneagent.worker.realtime.RealtimeConnector;
import ai.phoneagent.worker.summary.CallSummarizer;
import ai.phoneagent.worker.summary.ResponsesClient;
import ai.phoneagent.worker.tools.TransferService;
import ai.phoneagent.worker.ownership.HeartbeatKeeper;
import ai.phoneagent.worker.ownership.SessionHost;
import ai.phoneagent.worker.ownership.Takeover;
import ai.phoneagent.worker.transcript.CallJournal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;

/**
 * The session worker: takes calls from the queue up to its capacity, hosts each one ({@link CallSession}),
 * beats its heartbeat (taking over silent workers' calls), carries out operator commands from each call's control queue ({@link ControlQueueListener}),
 * sweeps what dead workers left behind ({@link Sweeper}), serves {@code /health}, and on {@link #close()} hands its
 * live calls to other workers.
 *
 * <p>In-process use (local stack, tests): {@code try (var worker = SessionWorker.start(config, clock)) {…}}, or
 * {@code new SessionWorker(config, deps, clock).start()} with injected collaborators.
 */
public final class SessionWorker implements AutoCloseable {
    private static final JsonLog LOG = JsonLog.forComponent("worker");
    /** How often live calls and capacity are sampled (a CloudWatch minute: Sum over workers is the fleet's load). */
    static final Duration METRICS_INTERVAL = Duration.ofSeconds(60);
    /** After hand-offs, how long the calls-queue poll may take to return a hand-off message it received. */
    private static final long HANDOFF_POLL_GRACE_MS = 1_000;

    private final WorkerConfig config;
    private final WorkerDeps deps;
    private final Clock clock;
    private final CallRegistry registry;
    private final RealtimeConnector connector;
    private final SessionServices services;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean draining;
    private volatile boolean halted;
    private final ControlQueueListener control;
    private final Sweeper sweeper;
    private final ScheduledExecutorService timers;
    private final ExecutorService io;
    private final CallJournal journal;
    private final AttachHealth attachHealth;
    private final WorkerHeartbeats beats;
    private final HeartbeatKeeper heartbeat;
    /** Posts call events to {@code CALL_EVENTS_URL}; null when that is not set. */
    private final CallEventDeliverer deliverer;
    /** Summarises ended calls; null when {@code SUMMARY_MODEL} is not set. */
    private final CallSummarizer summarizer;
    private QueuePoller poller;
    private HealthServer health;

    public SessionWorker(WorkerConfig config, WorkerDeps deps, Clock clock) {
        this.config = config;
        this.deps = deps;
        this.clock = clock;
        this.registry = new CallRegistry(config.capacity());
        this.connector = new RealtimeConnector(config.endpoints(), config.openAiApiKey(), config.pingInterval());
        this.io = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("worker-io-", 0).factory());
        LiveEventSink events = new DiscordEventSink(deps.discord(), config.discord().maskNumbers());
        if (config.callEvents().enabled()) {
            CallEventsQueue callEvents = new CallEventsQueue(new AwsClients(config.aws()).sqs(),
                    config.callEvents().queueUrl().orElseThrow());
            events = LiveEventSink.all(events, new CallEventPublisher(callEvents, LogContext.propagating(io), clock));
            CallEventPayloads payloads = new CallEventPayloads(deps.store(),
                    config.summary().enabled() ? config.summary().eventWait() : Duration.ZERO, clock);
            this.deliverer = new CallEventDeliverer(callEvents, payloads, deps.store(), deps.http(), config.callEvents(), clock);
        } else {
            this.deliverer = null;
        }
        TransferService transfer = new TransferService(config.tools().transfer(), deps.calls(), deps.twilio(),
                config.twilioStatusCallbackUrl(), deps.store(), clock, events);
        ControlQueues queues = deps.controlQueues() != null ? deps.controlQueues()
                : new ControlQueues(new AwsClients(config.aws()).sqs(), config.controlQueuePrefix());
        this.control = new ControlQueueListener(config.workerId(), queues, deps.store(),
                new CommandStore(deps.store().client(), deps.store().tableName()),
                new CommandExecutor(config.tools().transfer()), config.controlQueueWaitSeconds(),
                config.controlSafetySweep(), clock);
        this.timers = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("worker-timers").factory());
        this.journal = new CallJournal(deps.store(), clock, config.journalGiveUp());
        this.attachHealth = new AttachHealth(config.attachFailureLimit());
        this.beats = new WorkerHeartbeats(deps.store().client(), deps.store().tableName());
        this.summarizer = config.summary().enabled() ? new CallSummarizer(config.summary(), deps.store(),
                new ResponsesClient(deps.http(), config.endpoints(), config.openAiApiKey(), config.summary()),
                deps.discord(), config.workerId(), clock) : null;
        CallLifecycleListener lifecycle = CallLifecycleListener.all(control,
                summarizer == null ? CallLifecycleListener.none() : summarizer,
                deps.lifecycle() == null ? CallLifecycleListener.none() : deps.lifecycle());
        RetryPolicy reattach = new RetryPolicy(config.reattachWindow(), Duration.ofMillis(250), Duration.ofSeconds(2),
                RandomGenerator.getDefault());
        this.services = new SessionServices(config.workerId(), deps.store(), deps.queue(), deps.calls(), connector,
                journal, events, transfer,
                deps.http().newBuilder().followRedirects(false).followSslRedirects(false).build(),
                ToolRegistry.of(config.tools()), GreetingPolicy.byDirection(config.welcomeMessage()),
                config.endCallDelay(), config.endCallTimeout(), reattach, config.attachTimeout(), attachHealth, lifecycle, timers,
                LogContext.propagating(io), clock); // a call's I/O tasks log in the call's context
        attachHealth.onUnhealthy(reason -> Thread.ofVirtual().name("unhealthy-handoff").start(this::handOffAll));
        // calls of a dead worker are taken over here directly while there is room; the rest go through the queue
        Takeover takeover = new Takeover(deps.store(), deps.queue(), config.workerId(), config.leaseDuration(), clock,
                new SessionHost(registry, services, this::admission), io);
        this.heartbeat = new HeartbeatKeeper(beats, takeover, config.workerId(), config.leaseRenewInterval(),
                config.heartbeatScan(), config.leaseDuration(), clock, timers, io, this::takenOver);
        this.sweeper = new Sweeper(queues, deps.store(), beats, takeover, config.workerId(), registry::callIds,
                deps.queue(), deps.calls(), config.sweepInterval(), config.leaseDuration(), config.orphanGrace(),
                config.leaseDuration().multipliedBy(2), config.orphanDeadline(), config.receivedDeadline(), clock,
                RandomGenerator.getDefault());
    }

    /** Whether this worker takes calls: not halted, not draining and healthy. */
    private Admission admission() {
        if (halted) {
            return Admission.HALTED;
        }
        return draining || attachHealth.reason() != null ? Admission.CLOSED : Admission.OPEN;
    }

    /** Builds the production collaborators for {@code config} and starts a worker. */
    public static SessionWorker start(WorkerConfig config, Clock clock) {
        return new SessionWorker(config, WorkerDeps.fromConfig(config, clock), clock).start();
    }

    /** Starts the health endpoint, the heartbeat, the queue poller and the sweep. */
    public SessionWorker start() {
        if (!started.compareAndSet(false, true)) {
            return this;
        }
        health = HealthServer.start(config.healthHost(), config.healthPort(), () -> new HealthServer.Status(draining, attachHealth.reason(),
                registry.active(), registry.capacity(), config.workerId(), journal.health().pending(),
                storeFailingSince()));
        heartbeat.start();
        warmUpStore();
        QueuedCallIntake intake = new QueuedCallIntake(registry, services, this::admission, control);
        poller = new QueuePoller(deps.queue(), registry, config.queueWaitSeconds(), intake::handle).start();
        sweeper.start();
        control.start(timers, io, RandomGenerator.getDefault());
        if (deliverer != null) {
            deliverer.start();
        }
        timers.scheduleAtFixedRate(this::sampleMetrics, METRICS_INTERVAL.toMillis(), METRICS_INTERVAL.toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS);
        if (summarizer != null) {
            summarizer.start(timers);
        }
        LOG.info("session worker started", Map.of("worker_id", config.workerId(), "capacity", config.capacity(),
                "health_port", health.port(), "sweep_interval_ms", config.sweepInterval().toMillis()));
        return this;
    }

    /**
     * The transcript's store requests run once before the first call is taken (nothing is written), so a fresh worker
     * stores its first call's lines within a round trip instead of after the client's first-use costs: a line waiting
     * on them is a line a crash would lose. A failure only means the first call pays those costs itself.
     */
    private void warmUpStore() {
        long t0 = System.nanoTime();
        try {
            deps.store().warmUp(config.workerId());
            LOG.info("call store warmed up", Map.of("ms", (System.nanoTime() - t0) / 1_000_000));
        } catch (RuntimeException e) {
            LOG.warn("call store warm-up failed; the first call pays for the client's first use",
                    Map.of("error", JsonLog.describe(e)));
        }
    }

    private Instant storeFailingSince() {
        Instant writes = journal.health().failingSince();
        Instant beat = heartbeat.failingSince();
        return writes == null ? beat : beat == null || writes.isBefore(beat) ? writes : beat;
    }

    /** The worker cannot hold calls (bad key, attaches failing across calls): stop taking calls, hand them all off. */
    private void handOffAll() {
        if (poller != null) {
            poller.requestStop();
        }
        for (CallSession session : registry.sessions()) {
            session.release(Duration.ofSeconds(2), Duration.ofSeconds(5));
        }
    }

    /** Another worker took this one over while it was silent: its calls are not its own; stop them without writes. */
    private void takenOver() {
        for (CallSession session : registry.sessions()) {
            session.ownershipLost();
        }
    }

    public String workerId() {
        return config.workerId();
    }

    /** Calls hosted right now. */
    public int activeCalls() {
        return registry.active();
    }

    /** The hosted call's session: the seam for operator commands. */
    public Optional<CallSession> session(String callId) {
        return registry.session(callId);
    }

    public List<CallSession> sessions() {
        return List.copyOf(registry.sessions());
    }

    /** The port {@code /health} listens on (useful when configured as 0). */
    public int healthPort() {
        return health.port();
    }

    public boolean draining() {
        return draining;
    }

    /** Writes the live-calls and capacity sample now (the timer does it every {@link #METRICS_INTERVAL}). */
    public void sampleMetrics() {
        String worker = config.workerId();
        EmfWriter.toLogStream().record(
                Measurement.of(Metric.LIVE_CALLS, registry.active()).property("worker_id", worker),
                Measurement.of(Metric.WORKER_CAPACITY, registry.capacity()).property("worker_id", worker));
    }

    /** Beats and looks at the other workers' beats now (tests use this instead of waiting for the timer). */
    public void heartbeatNow() {
        heartbeat.tick();
    }

    /** Why the worker is unhealthy ({@code attach_unauthorized}, {@code attach_failures}), empty while healthy. */
    public Optional<String> unhealthyReason() {
        return Optional.ofNullable(attachHealth.reason());
    }

    /** Runs the sweep once now (stale control queues, orphaned calls) instead of waiting for its timer. */
    public Sweeper.Report sweepNow() {
        return sweeper.sweepOnce();
    }

    /** Runs the summary recovery sweep once now; the number of calls it took up (0 when summaries are off). */
    public int summarySweepNow() {
        return summarizer == null ? 0 : summarizer.sweepOnce();
    }

    /** Calls whose control queue this worker reads (on nudges, at attach, in the safety sweep). */
    public List<String> controlQueuesPolled() {
        return control.polling();
    }

    /** Runs the control queues' safety sweep once now instead of waiting for its timer; the number of calls read. */
    public int controlSweepNow() {
        return control.sweepNow();
    }

    /** This worker's nudge queue, once created. */
    public Optional<String> nudgeQueueUrl() {
        return control.nudgeQueueUrl();
    }

    /**
     * Stops at once as a killed process would (crash drills, tests): no hand-off, no store writes, no queue
     * deletes; the calls' sockets drop and the heartbeat stops, after which another worker takes the calls over
     * (orphans and re-enqueues them). The worker cannot be used afterwards.
     */
    public void halt() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        halted = true; // first: take-ins in flight see it and stop where they are (QueuedCallIntake, SessionHost)
        draining = true;
        LOG.warn("session worker halted without hand-off", Map.of("worker_id", config.workerId(),
                "active_calls", registry.active()));
        control.halt();
        sweeper.close();
        if (deliverer != null) {
            deliverer.close();
        }
        if (summarizer != null) {
            summarizer.halt();
        }
        heartbeat.close();
        if (poller != null) {
            poller.stop(1);
        }
        for (CallSession session : registry.sessions()) {
            session.abandon();
        }
        deps.discord().close();
        connector.close();
        if (health != null) {
            health.close();
        }
        timers.shutdownNow();
    }

    /**
     * Shuts down cleanly (SIGTERM): stops taking calls, lets tools in flight answer, hands each live call to another
     * worker (released as {@code ORPHANED} and re-enqueued with reason {@code orphaned}), flushes Discord within its
     * bound, stops.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
        draining = true;
        LOG.info("session worker draining", Map.of("worker_id", config.workerId(), "active_calls", registry.active()));
        sweeper.close();
        // the calls-queue long poll goes on through the hand-offs: a hand-off message reaches it (a live receive) and
        // is given back at once, rather than being taken by a poll cut off already and hidden for a while
        if (poller != null) {
            poller.requestStop();
        }
        // stop polling the control queues first: what arrives from now on waits on the queue for the next owner
        control.close(Duration.ofMillis(Math.max(1, remainingMs(deadline) / 2)));
        List<Thread> handoffs = new ArrayList<>();
        // half of what is left may go to tools still answering; the rest is for the hand-off writes and the flush
        Duration toolGrace = Duration.ofMillis(remainingMs(deadline) / 2);
        Duration writeBound = Duration.ofMillis(Math.max(1, remainingMs(deadline)));
        for (CallSession session : registry.sessions()) {
            handoffs.add(Thread.ofVirtual().name("handoff-" + session.callId())
                    .start(() -> session.release(toolGrace, writeBound)));
        }
        for (Thread t : handoffs) {
            try {
                t.join(Math.max(1, remainingMs(deadline)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // then it is cut off, not waited out (up to 20 s). A hand-off message it received may still be on its way to
        // it: it gets a moment to arrive (the poll then ends by itself, giving the message back), never the whole wait
        if (poller != null) {
            if (!handoffs.isEmpty()) {
                poller.awaitStopped(Math.min(HANDOFF_POLL_GRACE_MS, remainingMs(deadline)));
            }
            poller.cutOff();
        }
        if (poller != null && !poller.awaitStopped(remainingMs(deadline))) {
            LOG.warn("calls-queue poll still in flight at shutdown", Map.of("worker_id", config.workerId()));
        }
        // beats stop only after the hand-offs: until then the calls are still this worker's
        heartbeat.close();
        if (deliverer != null) {
            deliverer.close();
        }
        if (summarizer != null) {
            summarizer.close();
        }
        try {
            beats.retire(config.workerId(), clock.instant());
        } catch (RuntimeException e) {
            LOG.warn("heartbeat not retired; another worker will look and find no calls", Map.of("error", JsonLog.describe(e)));
        }
        if (!journal.flushAll(Duration.ofMillis(Math.max(0, remainingMs(deadline))))) {
            LOG.warn("transcript writes still pending at shutdown", Map.of("pending", journal.health().pending()));
        }
        Duration flush = config.discord().flushTimeout();
        long left = remainingMs(deadline);
        boolean flushed = deps.discord().flush(Duration.ofMillis(Math.min(flush.toMillis(), Math.max(0, left))));
        deps.discord().close();
        connector.close();
        if (health != null) {
            health.close();
        }
        timers.shutdownNow();
        LOG.info("session worker stopped", Map.of("worker_id", config.workerId(), "discord_flushed", flushed,
                "discord_dropped", deps.discord().dropped()));
    }

    private static long remainingMs(long deadlineNanos) {
        return Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
    }
}

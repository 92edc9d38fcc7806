package ai.phoneagent.worker;

import ai.phoneagent.aws.AwsClients;
import ai.phoneagent.command.CommandStore;
import ai.phoneagent.command.ControlQueues;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.worker.call.CallLifecycleListener;
import ai.phoneagent.worker.call.CallRegistry;
import ai.phoneagent.worker.call.CallSession;
import ai.phoneagent.worker.call.LeaseKeeper;
import ai.phoneagent.worker.call.SessionServices;
import ai.phoneagent.worker.control.CommandExecutor;
import ai.phoneagent.worker.control.ControlQueueListener;
import ai.phoneagent.worker.control.Sweeper;
import ai.phoneagent.worker.health.HealthServer;
import ai.phoneagent.worker.queue.CallIntake;
import ai.phoneagent.worker.queue.QueuePoller;
import ai.phoneagent.worker.realtime.RealtimeConnector;
import ai.phoneagent.worker.tools.HttpToolInvoker;
import ai.phoneagent.worker.tools.TransferService;
import ai.phoneagent.worker.transcript.TranscriptRecorder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;

/**
 * The session worker: takes calls from the queue up to its capacity, hosts each one ({@link CallSession}),
 * renews their leases, carries out operator commands from each call's control queue ({@link ControlQueueListener}),
 * sweeps what dead workers left behind ({@link Sweeper}), serves {@code /health}, and on {@link #close()} hands its
 * live calls to other workers.
 *
 * <p>In-process use (local stack, tests): {@code try (var worker = SessionWorker.start(config, clock)) {…}}, or
 * {@code new SessionWorker(config, deps, clock).start()} with injected collaborators.
 */
public final class SessionWorker implements AutoCloseable {
    private static final JsonLog LOG = JsonLog.forComponent("worker");

    private final WorkerConfig config;
    private final WorkerDeps deps;
    private final Clock clock;
    private final CallRegistry registry;
    private final RealtimeConnector connector;
    private final SessionServices services;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean draining;
    private final ControlQueueListener control;
    private final Sweeper sweeper;
    private QueuePoller poller;
    private LeaseKeeper leases;
    private HealthServer health;

    public SessionWorker(WorkerConfig config, WorkerDeps deps, Clock clock) {
        this.config = config;
        this.deps = deps;
        this.clock = clock;
        this.registry = new CallRegistry(config.capacity());
        this.connector = new RealtimeConnector(deps.http(), config.endpoints(), config.openAiApiKey(), config.pingInterval());
        TransferService transfer = new TransferService(config.tools().transfer(), deps.calls(), deps.twilio(),
                config.twilioStatusCallbackUrl(), deps.store(), clock);
        ControlQueues queues = deps.controlQueues() != null ? deps.controlQueues()
                : new ControlQueues(new AwsClients(config.aws()).sqs(), config.controlQueuePrefix());
        this.control = new ControlQueueListener(config.workerId(), queues, deps.store(),
                new CommandStore(deps.store().client(), deps.store().tableName()),
                new CommandExecutor(config.tools().transfer()), config.controlQueueWaitSeconds(), clock);
        this.sweeper = new Sweeper(queues, deps.store(), deps.queue(), config.sweepInterval(), config.orphanGrace(),
                config.leaseDuration().multipliedBy(2), clock, RandomGenerator.getDefault());
        CallLifecycleListener lifecycle = deps.lifecycle() == null ? control
                : CallLifecycleListener.all(control, deps.lifecycle());
        this.services = new SessionServices(config.workerId(), deps.store(), deps.queue(), deps.calls(), connector,
                new TranscriptRecorder(deps.store(), deps.discord(), clock), deps.discord(), transfer,
                new HttpToolInvoker(deps.http()), config.tools(), config.welcomeMessage(),
                config.discord().maskNumbers(), config.endCallDelay(), config.endCallTimeout(), lifecycle, clock);
    }

    /** Builds the production collaborators for {@code config} and starts a worker. */
    public static SessionWorker start(WorkerConfig config, Clock clock) {
        return new SessionWorker(config, WorkerDeps.fromConfig(config, clock), clock).start();
    }

    /** Starts the health endpoint, the lease keeper and the queue poller. */
    public SessionWorker start() {
        if (!started.compareAndSet(false, true)) {
            return this;
        }
        health = HealthServer.start(config.healthPort(), () -> new HealthServer.Status(draining, registry.active(),
                registry.capacity(), config.workerId()));
        leases = new LeaseKeeper(registry, deps.store(), config.workerId(), config.leaseDuration(),
                config.leaseRenewInterval(), clock).start();
        CallIntake intake = new CallIntake(registry, services, config.leaseDuration(), () -> !draining);
        poller = new QueuePoller(deps.queue(), registry, config.queueWaitSeconds(), intake::handle).start();
        sweeper.start();
        LOG.info("session worker started", Map.of("worker_id", config.workerId(), "capacity", config.capacity(),
                "health_port", health.port(), "sweep_interval_ms", config.sweepInterval().toMillis()));
        return this;
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

    /** Renews every lease now (tests use this instead of waiting for the timer). */
    public void renewLeasesNow() {
        leases.renewAll();
    }

    /** Runs the sweep once now (stale control queues, orphaned calls) instead of waiting for its timer. */
    public Sweeper.Report sweepNow() {
        return sweeper.sweepOnce();
    }

    /** Calls whose control queue this worker is polling. */
    public List<String> controlQueuesPolled() {
        return control.polling();
    }

    /**
     * Stops at once as a killed process would (crash drills, tests): no hand-off, no store writes, no queue
     * deletes; the calls' sockets drop and their leases are left to lapse, after which another worker's sweep
     * orphans and re-enqueues them. The worker cannot be used afterwards.
     */
    public void halt() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        draining = true;
        LOG.warn("session worker halted without hand-off", Map.of("worker_id", config.workerId(),
                "active_calls", registry.active()));
        control.halt();
        sweeper.close();
        if (leases != null) {
            leases.close();
        }
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
        // not waited for yet: a long poll (up to 20 s) must not eat the budget the hand-offs need
        if (poller != null) {
            poller.requestStop();
        }
        if (leases != null) {
            leases.close();
        }
        // stop polling the control queues first: what arrives from now on waits on the queue for the next owner
        control.close(Duration.ofMillis(Math.max(1, remainingMs(deadline) / 2)));
        List<Thread> handoffs = new ArrayList<>();
        // half of what is left may go to tools still answering; the rest is for the hand-off writes and the flush
        Duration toolGrace = Duration.ofMillis(remainingMs(deadline) / 2);
        for (CallSession session : registry.sessions()) {
            handoffs.add(Thread.ofVirtual().name("handoff-" + session.callId()).start(() -> session.release(toolGrace)));
        }
        for (Thread t : handoffs) {
            try {
                t.join(Math.max(1, remainingMs(deadline)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // a poll still in flight gives back what it receives (perhaps the hand-offs themselves) before we exit
        if (poller != null && !poller.awaitStopped(remainingMs(deadline))) {
            LOG.warn("calls-queue poll still in flight at shutdown", Map.of("worker_id", config.workerId()));
        }
        Duration flush = config.discord().flushTimeout();
        long left = remainingMs(deadline);
        boolean flushed = deps.discord().flush(Duration.ofMillis(Math.min(flush.toMillis(), Math.max(0, left))));
        deps.discord().close();
        connector.close();
        if (health != null) {
            health.close();
        }
        LOG.info("session worker stopped", Map.of("worker_id", config.workerId(), "discord_flushed", flushed,
                "discord_dropped", deps.discord().dropped()));
    }

    private static long remainingMs(long deadlineNanos) {
        return Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
    }
}

package ai.phoneagent.worker.call;

import ai.phoneagent.call.EndReason;
import ai.phoneagent.openai.RetryPolicy;
import ai.phoneagent.worker.realtime.Disconnect;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The life of one call on this worker as a pure state machine: inputs (socket opened or dropped, hang-up asked and
 * answered, timers, release, ownership lost) go in, effects (open a socket, greet, call OpenAI's hang-up, end,
 * release) come out. No I/O, no threads, no clock of its own: {@link CallSession} feeds it one input at a time from
 * the call's mailbox and carries the effects out, so every ordering of racing events is a plain unit test.
 *
 * <p>Rules it keeps: a drop is retried with backoff and jitter until it is a confirmed end (404 on attach, an
 * accepted hang-up) or the re-attach window runs out; a worker that cannot hold the call releases it for another
 * worker rather than ending it; a socket that closes while our hang-up is in flight waits for OpenAI's answer instead
 * of re-attaching; the end reason is decided once, by the transition into {@link Phase#ENDED}; every attach greets
 * while the call's greeting is due (stored state: it has not gone out) and none after OpenAI started a response.
 */
public final class CallMachine {
    /** Where the call is on this worker. */
    public enum Phase {
        CONNECTING, LIVE, RECONNECTING, ENDED, RELEASED,
        /** Another worker owns the call now: stopped without writing anything. */
        DISOWNED,
        /** Dropped without any write, as by a process that died. */
        ABANDONED;

        public boolean isFinal() {
            return this == ENDED || this == RELEASED || this == DISOWNED || this == ABANDONED;
        }
    }

    /** How OpenAI answered our hang-up. */
    public enum HangupAnswer { ACCEPTED, GONE, FAILED }

    /** Why an attach could not hold the call; the worker's health counts these across calls. */
    public enum AttachFailure { UNAUTHORIZED, WINDOW_EXHAUSTED }

    /** What happened to the call. */
    public sealed interface Input {
        /** A scheduled re-attach is due. */
        record ConnectDue(int generation) implements Input {
        }

        record Opened(int generation) implements Input {
        }

        record Dropped(int generation, Disconnect disconnect) implements Input {
        }

        record HangupRequested(EndReason reason) implements Input {
        }

        record HangupAnswered(EndReason reason, HangupAnswer answer) implements Input {
        }

        /** OpenAI accepted our hang-up a while ago and the socket is still open. */
        record HangupCloseOverdue() implements Input {
        }

        /** Hand the call to another worker (shutdown, unhealthy worker). */
        record ReleaseRequested(String why) implements Input {
        }

        record OwnershipLost() implements Input {
        }

        record Abandon() implements Input {
        }

        /**
         * The greeting has gone out: OpenAI started a response on the live socket ({@code response.created}), or the
         * call has no greeting to send (the agent waits for the caller).
         */
        record Greeted() implements Input {
        }
    }

    /** What the session must do. */
    public sealed interface Effect {
        record OpenSocket(int generation) implements Effect {
        }

        record ScheduleConnect(int generation, Duration delay) implements Effect {
        }

        /** A socket of an older generation opened late: close it. */
        record DiscardSocket(int generation) implements Effect {
        }

        /** Send the greeting: on every attach while it is due (it has not gone out yet). */
        record Greet() implements Effect {
        }

        /** The greeting has gone out: store it, so no later attach (here or elsewhere) greets again. */
        record RecordGreeted() implements Effect {
        }

        /** The socket is open: {@code first} on the call's first attach on this worker. */
        record Attached(boolean first) implements Effect {
        }

        record CallOpenAiHangup(EndReason reason) implements Effect {
        }

        record ScheduleHangupCloseCheck(Duration after) implements Effect {
        }

        /** The call is over: store {@code ENDED} with this reason. */
        record End(EndReason reason) implements Effect {
        }

        /** Hand the call over: {@code ORPHANED} + a calls-queue message. */
        record Release(String why) implements Effect {
        }

        /** Stop hosting without writing anything. */
        record Stop(String why) implements Effect {
        }

        record AttachRefused(AttachFailure failure) implements Effect {
        }
    }

    /** How long a socket may stay open after OpenAI accepted our hang-up before the call is ended anyway. */
    public static final Duration HANGUP_CLOSE_GRACE = Duration.ofSeconds(5);

    private final RetryPolicy reattach;
    private boolean greetingDue;
    private Phase phase = Phase.CONNECTING;
    private int generation;
    private boolean attachedOnce;
    private Instant troubleSince;
    private int attempts;
    private EndReason hangupReason;
    private boolean hangupInFlight;
    private boolean hangupAccepted;
    private boolean waitingForHangupAnswer;
    private EndReason endReason;

    /**
     * @param greetingDue whether the call's greeting has not gone out yet (from its stored state): then every attach
     *                    greets until OpenAI starts a response; a call greeted before (by any worker) never is again
     * @param reattach    backoff of re-attaches; its deadline is the re-attach window
     */
    public CallMachine(boolean greetingDue, RetryPolicy reattach) {
        this.greetingDue = greetingDue;
        this.reattach = reattach;
    }

    /** The first connect; nothing when the call was stopped before it started (a worker halted while taking it in). */
    public List<Effect> start() {
        if (phase.isFinal()) {
            return List.of();
        }
        generation = 1;
        return List.of(new Effect.OpenSocket(generation));
    }

    public Phase phase() {
        return phase;
    }

    public int generation() {
        return generation;
    }

    /** A hang-up has been asked of OpenAI (in flight or accepted). */
    public boolean hangingUp() {
        return hangupInFlight || hangupAccepted;
    }

    /** The greeting has not gone out yet (OpenAI has started no response since the call was attached). */
    public boolean greetingDue() {
        return greetingDue;
    }

    /** The reason the call ended, once it has. */
    public EndReason endReason() {
        return endReason;
    }

    public List<Effect> on(Input input, Instant now) {
        if (phase.isFinal()) {
            return input instanceof Input.Opened o ? List.of(new Effect.DiscardSocket(o.generation())) : List.of();
        }
        return switch (input) {
            case Input.ConnectDue c -> c.generation() == generation && phase == Phase.RECONNECTING
                    && !waitingForHangupAnswer ? List.of(new Effect.OpenSocket(generation)) : List.of();
            case Input.Opened o -> opened(o.generation());
            case Input.Dropped d -> d.generation() == generation ? dropped(d.disconnect(), now) : List.of();
            case Input.HangupRequested h -> hangupRequested(h.reason());
            case Input.HangupAnswered a -> hangupAnswered(a.reason(), a.answer(), now);
            case Input.HangupCloseOverdue o -> hangupAccepted && phase == Phase.LIVE ? end(hangupReason) : List.of();
            case Input.ReleaseRequested r -> release(r.why());
            case Input.OwnershipLost o -> stop(Phase.DISOWNED, "ownership_lost");
            case Input.Abandon a -> stop(Phase.ABANDONED, "abandoned");
            case Input.Greeted g -> greeted();
        };
    }

    private List<Effect> opened(int gen) {
        if (gen != generation || phase == Phase.LIVE) {
            return List.of(new Effect.DiscardSocket(gen));
        }
        phase = Phase.LIVE;
        troubleSince = null;
        attempts = 0;
        boolean first = !attachedOnce;
        attachedOnce = true;
        // a greeting sent on an earlier socket that OpenAI never confirmed is sent again: a repeat beats silence
        return greetingDue ? List.of(new Effect.Greet(), new Effect.Attached(first)) : List.of(new Effect.Attached(first));
    }

    private List<Effect> greeted() {
        if (!greetingDue) {
            return List.of();
        }
        greetingDue = false;
        return List.of(new Effect.RecordGreeted());
    }

    private List<Effect> dropped(Disconnect disconnect, Instant now) {
        if (hangupAccepted) {
            return end(hangupReason); // we asked OpenAI to hang up and it agreed: this close is the hang-up
        }
        if (disconnect.callGone()) {
            return end(hangupReason != null ? hangupReason : EndReason.CALLER_HANGUP);
        }
        if (hangupInFlight) {
            // the close may be our hang-up taking effect: OpenAI's answer decides, not a re-attach
            phase = Phase.RECONNECTING;
            waitingForHangupAnswer = true;
            return List.of();
        }
        if (disconnect instanceof Disconnect.Failed f && (f.httpStatus() == 401 || f.httpStatus() == 403)) {
            return with(release("attach_unauthorized"), new Effect.AttachRefused(AttachFailure.UNAUTHORIZED));
        }
        return reconnect(now);
    }

    private List<Effect> reconnect(Instant now) {
        if (troubleSince == null) {
            troubleSince = now;
            attempts = 0;
        }
        if (!now.isBefore(troubleSince.plus(reattach.deadline()))) {
            return with(release("reattach_window_exhausted"), new Effect.AttachRefused(AttachFailure.WINDOW_EXHAUSTED));
        }
        attempts++;
        generation++;
        phase = Phase.RECONNECTING;
        Duration delay = reattach.delayBefore(attempts);
        Duration left = Duration.between(now, troubleSince.plus(reattach.deadline()));
        return List.of(new Effect.ScheduleConnect(generation, delay.compareTo(left) < 0 ? delay : left));
    }

    private List<Effect> hangupRequested(EndReason reason) {
        if (hangupInFlight || hangupAccepted) {
            return List.of();
        }
        hangupInFlight = true;
        hangupReason = reason;
        return List.of(new Effect.CallOpenAiHangup(reason));
    }

    private List<Effect> hangupAnswered(EndReason reason, HangupAnswer answer, Instant now) {
        hangupInFlight = false;
        boolean socketDown = phase != Phase.LIVE;
        waitingForHangupAnswer = false;
        return switch (answer) {
            case ACCEPTED -> {
                hangupAccepted = true;
                hangupReason = reason;
                yield socketDown ? end(reason) : List.of(new Effect.ScheduleHangupCloseCheck(HANGUP_CLOSE_GRACE));
            }
            case GONE -> end(reason);
            case FAILED -> {
                hangupReason = null;
                // the socket closed while we waited: it was not our hang-up, so hold the call as after any drop
                yield socketDown ? reconnect(now) : List.of();
            }
        };
    }

    private List<Effect> release(String why) {
        phase = Phase.RELEASED;
        return List.of(new Effect.Release(why));
    }

    private List<Effect> stop(Phase to, String why) {
        phase = to;
        return List.of(new Effect.Stop(why));
    }

    private List<Effect> end(EndReason reason) {
        phase = Phase.ENDED;
        endReason = reason;
        return List.of(new Effect.End(reason));
    }

    private static List<Effect> with(List<Effect> effects, Effect more) {
        return java.util.stream.Stream.concat(effects.stream(), java.util.stream.Stream.of(more)).toList();
    }
}

package ai.phoneagent.simulator;

import ai.phoneagent.json.Json;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.scenario.Step;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Plays one call's scenario on a virtual thread, synchronising with the client through await steps. */
final class ScenarioRunner implements Runnable {
    private static final Logger LOG = Logger.getLogger(ScenarioRunner.class.getName());
    private final CallRuntime call;
    private final Scenario scenario;
    private final Duration awaitTimeout;
    private List<String> lastEmitted;
    private int cursor;

    ScenarioRunner(CallRuntime call, Scenario scenario, Duration awaitTimeout) {
        this.call = call;
        this.scenario = scenario;
        this.awaitTimeout = awaitTimeout;
    }

    /** Starts the scenario on a new virtual thread. */
    static void start(CallRuntime call, Scenario scenario, Duration awaitTimeout) {
        Thread.ofVirtual().name("scenario-" + call.callId()).start(new ScenarioRunner(call, scenario, awaitTimeout));
    }

    @Override
    public void run() {
        try {
            for (int index = 0; index < scenario.steps().size(); index++) {
                if (call.isStopped()) {
                    call.scenarioDone(null);
                    return;
                }
                String failure = play(scenario.steps().get(index));
                if (failure != null) {
                    String message = "step " + index + ": " + failure;
                    if (!call.isStopped()) {
                        LOG.log(Level.INFO, "scenario {0} of call {1} failed at {2}",
                                new Object[] {scenario.name(), call.callId(), message});
                        call.scenarioDone(message);
                    } else {
                        call.scenarioDone(null);
                    }
                    return;
                }
            }
            call.scenarioDone(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.scenarioDone("interrupted");
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "scenario of call " + call.callId() + " crashed", e);
            call.scenarioDone("crashed: " + e);
        }
    }

    /** Plays one step; returns why it failed, or null. */
    private String play(Step step) throws InterruptedException {
        return switch (step) {
            case Step.Emit emit -> {
                lastEmitted = call.events().forStep(emit).stream().map(Json::write).toList();
                if (emit instanceof Step.Agent) {
                    call.modelSpoke();
                }
                yield send(lastEmitted);
            }
            case Step.RepeatLast ignored -> lastEmitted == null ? "repeat_last without a previous step" : send(lastEmitted);
            case Step.Await await -> {
                Duration timeout = await.timeoutOr(awaitTimeout);
                int found = call.awaitClientEvent(await.target()::matches, cursor, Deadline.after(timeout), true);
                if (found < 0) {
                    yield "await " + await.target() + " timed out after " + timeout.toMillis() + " ms";
                }
                cursor = found + 1;
                yield null;
            }
            case Step.Hangup hangup -> {
                call.end("caller hung up", hangup.closeFrame());
                yield null;
            }
            case Step.Drop drop -> {
                call.dropConnections(drop.closeFrame());
                yield null;
            }
            case Step.Pause pause -> {
                Thread.sleep(pause.duration());
                yield null;
            }
        };
    }

    private String send(List<String> texts) throws InterruptedException {
        AttachedSocket connection = call.awaitConnection(Deadline.after(awaitTimeout));
        if (connection == null) {
            return "no WebSocket attached within " + awaitTimeout.toMillis() + " ms";
        }
        for (String text : texts) {
            connection.sendText(text);
        }
        return null;
    }
}

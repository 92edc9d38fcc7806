package ai.phoneagent.localstack.chaos;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What one chaos scenario measured: calls lost (ended at our side while still live at OpenAI, or never greeted),
 * calls stuck (not final at our side once the settle window after the scenario passed), transcript lines lost (sent
 * by OpenAI, not stored), and the time to recovery against its target (none when the scenario has no recovery).
 * A scenario's own checks (e.g. the new owner shown by the API) that fail are notes and fail it too.
 */
record Outcome(String scenario, int calls, int lost, int stuck, int transcriptLost, Optional<Duration> recovery,
               Duration target, boolean hasRecovery, int checksFailed, List<String> notes) {
    boolean passed() {
        return lost == 0 && stuck == 0 && transcriptLost == 0 && checksFailed == 0
                && (!hasRecovery || recovery.isPresent() && recovery.get().compareTo(target) <= 0);
    }

    static Outcome failed(String scenario, String why) {
        return new Outcome(scenario, 0, 0, 0, 0, Optional.empty(), Duration.ZERO, true, 0, List.of("did not run: " + why));
    }

    void print(PrintStream out) {
        String recoveryText = !hasRecovery ? "-"
                : recovery.map(d -> String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0)).orElse("never")
                + String.format(Locale.ROOT, " (target %d s)", target.toSeconds());
        out.println();
        out.println("scenario: " + scenario + "  ->  " + (passed() ? "PASS" : "FAIL"));
        out.println("  | calls | lost | stuck | transcript lines lost | time to recovery         |");
        out.println("  |-------|------|-------|-----------------------|--------------------------|");
        out.println(String.format(Locale.ROOT, "  | %5d | %4d | %5d | %21d | %-24s |", calls, lost, stuck, transcriptLost,
                recoveryText));
        notes.forEach(note -> out.println("  note: " + note));
    }

    /** Collects an outcome's numbers while a scenario checks its calls. */
    static final class Builder {
        private final String scenario;
        private int calls;
        private int lost;
        private int stuck;
        private int transcriptLost;
        private Optional<Duration> recovery = Optional.empty();
        private Duration target = Duration.ZERO;
        private boolean hasRecovery;
        private int checksFailed;
        private final List<String> notes = new ArrayList<>();

        Builder(String scenario) {
            this.scenario = scenario;
        }

        Builder calls(int n) {
            calls = n;
            return this;
        }

        Builder lost(String why) {
            lost++;
            notes.add("lost: " + why);
            return this;
        }

        Builder stuck(String why) {
            stuck++;
            notes.add("stuck: " + why);
            return this;
        }

        Builder transcriptLost(int lines, String callId) {
            if (lines > 0) {
                transcriptLost += lines;
                notes.add(lines + " transcript line(s) of " + callId + " not stored");
            }
            return this;
        }

        Builder recovery(Optional<Duration> took, Duration within) {
            hasRecovery = true;
            recovery = took;
            target = within;
            return this;
        }

        Builder note(String note) {
            notes.add(note);
            return this;
        }

        /** A check of the scenario's own that failed: noted, and the scenario fails. */
        Builder checkFailed(String why) {
            checksFailed++;
            notes.add("check failed: " + why);
            return this;
        }

        Outcome build() {
            return new Outcome(scenario, calls, lost, stuck, transcriptLost, recovery, target, hasRecovery, checksFailed,
                    List.copyOf(notes));
        }
    }
}

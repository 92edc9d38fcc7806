package ai.phoneagent.worker.summary;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.Turn;
import java.util.List;

/**
 * The text a call is summarised from: a short header (direction, end reason) and the transcript as
 * {@code Caller:}/{@code Agent:} lines, cut to a bounded size. A cut keeps the first third (why they called) and the
 * end (how it ended), with a marker saying how much of the middle was left out.
 */
public final class SummaryInput {
    private SummaryInput() {
    }

    /** True when the call has something to summarise: at least one caller or agent line. */
    public static boolean hasConversation(List<Turn> turns) {
        return turns.stream().anyMatch(t -> t.speaker() != Turn.Speaker.SYSTEM && t.text() != null && !t.text().isBlank());
    }

    public static String of(CallRecord call, List<Turn> turns, int maxTranscriptChars) {
        StringBuilder transcript = new StringBuilder();
        for (Turn turn : turns) {
            if (turn.text() == null || turn.text().isBlank()) {
                continue;
            }
            String who = switch (turn.speaker()) {
                case CALLER -> "Caller";
                case AGENT -> "Agent";
                case SYSTEM -> "System";
            };
            transcript.append(who).append(": ").append(turn.text().strip().replace('\n', ' ')).append('\n');
        }
        return "Call direction: " + call.direction() + "\nEnded because: " + call.endReason()
                + "\nTranscript:\n" + truncate(transcript.toString(), maxTranscriptChars);
    }

    /** {@code text} when it fits {@code max}; else its head and tail around a marker, the whole at most {@code max}. */
    static String truncate(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        String marker = "\n[… " + text.length() + " characters in all; the middle was left out …]\n";
        int room = Math.max(0, max - marker.length());
        int head = room / 3;
        int tail = room - head;
        return text.substring(0, safeEnd(text, head)) + marker + text.substring(safeStart(text, text.length() - tail));
    }

    private static int safeEnd(String text, int end) {
        return end > 0 && Character.isHighSurrogate(text.charAt(end - 1)) ? end - 1 : end;
    }

    private static int safeStart(String text, int start) {
        return start < text.length() && Character.isLowSurrogate(text.charAt(start)) ? start + 1 : start;
    }
}

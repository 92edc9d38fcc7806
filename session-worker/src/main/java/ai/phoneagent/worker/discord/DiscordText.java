package ai.phoneagent.worker.discord;

import ai.phoneagent.call.CallSummary;
import ai.phoneagent.worker.call.SipAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Formatting of what the worker posts to Discord: transcript lines, call notices, splitting and masking. */
public final class DiscordText {
    /** Discord rejects message content longer than this. */
    public static final int MAX_CONTENT = 2_000;
    private static final Pattern NUMBER = Pattern.compile("^\\+?[0-9][0-9\\-. ()]{3,}$");

    private DiscordText() {
    }

    public static String callerLine(String text) {
        return "Caller: " + text;
    }

    public static String agentLine(String text) {
        return "Agent: " + text;
    }

    /** The notice posted when the worker attaches to a new call. */
    public static String startNotice(String from, String to, boolean mask) {
        return "📞 Call started — from " + displayParty(from, mask) + " to " + displayParty(to, mask);
    }

    /** The notice posted when an outbound call we placed starts: which launch, and the caller id it showed. */
    public static String outboundStartNotice(String launchId, String from, boolean mask) {
        return "📞 Outbound call started — launch " + launchId + ", from " + displayParty(from, mask);
    }

    /** The notice posted when a call ends. */
    public static String endNotice(Duration duration, String reason) {
        return "📴 Call ended after " + formatDuration(duration) + " (" + reason + ")";
    }

    /**
     * The summary posted under a call's end notice: the model's summary and its fields, or why there is none.
     * Longer than one message, it is split by the sink.
     */
    public static String summaryNotice(CallSummary summary) {
        if (summary.fields() == null) {
            return "📝 No summary for this call (" + summary.status().wireName()
                    + (summary.error() == null ? "" : ": " + summary.error()) + ")";
        }
        CallSummary.Fields f = summary.fields();
        return "📝 Summary: " + f.summary()
                + "\nReason: " + f.reason()
                + "\nOutcome: " + f.outcome().replace('_', ' ') + " · Sentiment: " + f.sentiment()
                + "\nFollow-up: " + (f.followUpNeeded() ? (f.followUp().isBlank() ? "needed" : f.followUp()) : "none");
    }

    /** A party as shown in a notice: its number, masked to the last four digits when asked. */
    public static String displayParty(String uriOrHeader, boolean mask) {
        Optional<String> user = SipAddress.userPart(uriOrHeader);
        if (user.isEmpty()) {
            return "unknown";
        }
        String value = user.get();
        if (!mask) {
            return value;
        }
        return NUMBER.matcher(value).matches() ? maskNumber(value) : "(hidden)";
    }

    /** Replaces every digit but the last four with {@code •}, keeping a leading {@code +}. */
    public static String maskNumber(String number) {
        String digits = number.replaceAll("[^0-9]", "");
        if (digits.length() <= 4) {
            return "•".repeat(digits.length());
        }
        String prefix = number.strip().startsWith("+") ? "+" : "";
        return prefix + "•".repeat(digits.length() - 4) + digits.substring(digits.length() - 4);
    }

    /**
     * Splits text into pieces of at most {@code max} characters, preferring a line break, then a space, in the
     * second half of each piece; never splits a surrogate pair.
     */
    public static List<String> split(String text, int max) {
        if (max < 2) {
            throw new IllegalArgumentException("max must be at least 2");
        }
        List<String> parts = new ArrayList<>();
        String rest = text;
        while (rest.length() > max) {
            int cut = rest.lastIndexOf('\n', max);
            if (cut < max / 2) {
                cut = rest.lastIndexOf(' ', max);
            }
            if (cut < max / 2) {
                cut = max;
                if (Character.isHighSurrogate(rest.charAt(cut - 1))) {
                    cut--;
                }
            }
            String part = rest.substring(0, cut).stripTrailing();
            if (!part.isEmpty()) {
                parts.add(part);
            }
            rest = rest.substring(cut).stripLeading();
        }
        if (!rest.isEmpty() || parts.isEmpty()) {
            parts.add(rest);
        }
        return parts;
    }

    static String formatDuration(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 60) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 60) {
            return String.format(Locale.ROOT, "%dm %02ds", minutes, seconds % 60);
        }
        return String.format(Locale.ROOT, "%dh %02dm %02ds", minutes / 60, minutes % 60, seconds % 60);
    }

    /** The username Discord shows for a call's lines, so interleaved calls stay readable. */
    public static String username(String callId) {
        String tail = callId.length() > 8 ? callId.substring(callId.length() - 8) : callId;
        return "Call " + tail;
    }
}

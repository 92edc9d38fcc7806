package ai.phoneagent.tools;

import java.util.Locale;
import java.util.regex.Pattern;

/** A person or queue the agent may transfer to; only configuration creates these. */
public record TransferTarget(String name, String uri, TransferMode mode) {
    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9_\\-]{1,40}");

    public TransferTarget {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("transfer target name must be lowercase letters, digits, - or _");
        }
        if (!isValidUri(uri)) {
            throw new IllegalArgumentException("transfer target '" + name + "' must be tel:+E164, sip:… or +E164");
        }
    }

    /** Accepts {@code +E164}, {@code tel:+E164} or {@code sip:user@host}; a bare number becomes {@code tel:}. */
    public static String normalise(String raw) {
        String value = raw.strip();
        return E164.matcher(value).matches() ? "tel:" + value : value;
    }

    static boolean isValidUri(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        if (lower.startsWith("tel:")) {
            return E164.matcher(uri.substring(4)).matches();
        }
        return (lower.startsWith("sip:") || lower.startsWith("sips:")) && uri.indexOf('@') > 4 && !uri.contains(" ");
    }

    /** The address Twilio dials for a warm transfer: the E.164 number, or the SIP URI as is. */
    public String dialString() {
        return uri.regionMatches(true, 0, "tel:", 0, 4) ? uri.substring(4) : uri;
    }
}

package ai.phoneagent.worker.call;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the user part of SIP {@code From}/{@code To} values, e.g. {@code sip:+14255551212@host} → {@code +14255551212}. */
public final class SipAddress {
    private static final Pattern USER = Pattern.compile("^(?:sips?|tel):([^@;>?]+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");

    private SipAddress() {
    }

    /** The user part of a SIP/tel URI or a header value such as {@code "Ann" <sip:+1425…@host>;tag=x}. */
    public static Optional<String> userPart(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.strip();
        int lt = v.indexOf('<');
        if (lt >= 0) {
            int gt = v.indexOf('>', lt);
            v = v.substring(lt + 1, gt > lt ? gt : v.length());
        }
        Matcher m = USER.matcher(v);
        String user = (m.find() ? m.group(1) : v).strip();
        return user.isEmpty() ? Optional.empty() : Optional.of(user);
    }

    /** The E.164 number of a SIP/tel address, when its user part is one. */
    public static Optional<String> e164(String value) {
        return userPart(value).map(u -> u.replaceAll("[\\-. ()]", "")).filter(u -> E164.matcher(u).matches());
    }
}

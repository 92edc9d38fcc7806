package ai.phoneagent.control.calls;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.control.api.ApiError;
import ai.phoneagent.control.api.ApiRequest;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What {@code GET /control/calls?status=recent} may be narrowed to: a number (digits found in from or to), UTC days
 * {@code since}..{@code until}, the call's final status and its end reason. Filters apply while the ended-calls
 * index is read, so a page may hold fewer calls than its limit and still have a next cursor.
 */
public record RecentFilter(String numberDigits, LocalDate since, LocalDate until, CallStatus callStatus,
                           String endReason) {
    /** How far back {@code since} may reach (the table keeps items 90 days). */
    public static final int MAX_DAYS_BACK = 90;
    private static final Pattern REASON = Pattern.compile("[A-Za-z0-9_.:\\-]{1,64}");

    /** Reads {@code number}, {@code since}, {@code until}, {@code callStatus}, {@code endReason}; 400 when malformed. */
    public static RecentFilter parse(ApiRequest request) {
        String digits = request.query("number").map(RecentFilter::digits).filter(d -> !d.isEmpty()).orElse(null);
        if (request.query("number").filter(n -> !n.isBlank()).isPresent() && digits == null) {
            throw ApiError.invalidRequest("'number' must contain digits");
        }
        if (digits != null && digits.length() > 15) {
            throw ApiError.invalidRequest("'number' has more digits than a phone number");
        }
        LocalDate since = date(request, "since");
        LocalDate until = date(request, "until");
        if (since != null && until != null && until.isBefore(since)) {
            throw ApiError.invalidRequest("'until' is before 'since'");
        }
        CallStatus status = request.query("callStatus").filter(s -> !s.isBlank()).map(s -> {
            try {
                CallStatus parsed = CallStatus.valueOf(s.strip().toUpperCase(Locale.ROOT));
                if (!parsed.isTerminal()) {
                    throw new IllegalArgumentException();
                }
                return parsed;
            } catch (IllegalArgumentException e) {
                throw ApiError.invalidRequest("'callStatus' must be a final status: ENDED, GONE or FAILED");
            }
        }).orElse(null);
        String reason = request.query("endReason").filter(s -> !s.isBlank()).map(String::strip).orElse(null);
        if (reason != null && !REASON.matcher(reason).matches()) {
            throw ApiError.invalidRequest("'endReason' must be 1-64 of letters, digits, _ . : -");
        }
        return new RecentFilter(digits, since, until, status, reason);
    }

    private static LocalDate date(ApiRequest request, String name) {
        Optional<String> raw = request.query(name).filter(s -> !s.isBlank());
        if (raw.isEmpty()) {
            return null;
        }
        try {
            return LocalDate.parse(raw.get().strip());
        } catch (DateTimeParseException e) {
            throw ApiError.invalidRequest("'" + name + "' must be a date like 2026-11-24");
        }
    }

    static String digits(String text) {
        StringBuilder out = new StringBuilder();
        text.chars().filter(Character::isDigit).forEach(c -> out.append((char) c));
        return out.toString();
    }

    public boolean isEmpty() {
        return numberDigits == null && since == null && until == null && callStatus == null && endReason == null;
    }

    /** True when the call passes every filter given. */
    public boolean matches(CallRecord call) {
        if (numberDigits != null && !digits(nullToEmpty(call.from())).contains(numberDigits)
                && !digits(nullToEmpty(call.to())).contains(numberDigits)) {
            return false;
        }
        if (callStatus != null && call.status() != callStatus) {
            return false;
        }
        return endReason == null || endReason.equals(call.endReason());
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}

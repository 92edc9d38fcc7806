package ai.phoneagent.control.outbound;

import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import java.net.URI;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Outbound calling's configuration, validated at start-up. Without {@code TWILIO_OUTBOUND_FROM}, {@code OPENAI_SIP_URI}
 * and a status callback URL, launches answer 503 {@code outbound_not_configured}.
 *
 * @param from              {@code TWILIO_OUTBOUND_FROM}: the caller id (E.164, a Twilio number of the account)
 * @param sipUri            {@code OPENAI_SIP_URI}: the connector's URI, {@code sip:<project id>@sip.api.openai.com;transport=tls}
 * @param statusCallbackUrl {@code OUTBOUND_STATUS_CALLBACK_URL}: the public URL of {@code POST /twilio/outbound-status};
 *                          default: {@code TWILIO_STATUS_CALLBACK_URL} with its last path segment replaced
 * @param allowedPrefixes   {@code OUTBOUND_ALLOWED_PREFIXES}: E.164 prefixes a destination must start with; default the
 *                          from-number's country code
 * @param maxConcurrent     {@code OUTBOUND_MAX_CONCURRENT} (default 5): launches dialling or in a call at once
 * @param repeatInterval    {@code OUTBOUND_REPEAT_INTERVAL_SECONDS} (default 3600): at most one launch per number within it
 * @param quietHours        {@code OUTBOUND_QUIET_HOURS} ({@code HH:MM-HH:MM}, unset = none) in {@code OUTBOUND_TIME_ZONE}
 * @param ringTimeout       {@code OUTBOUND_RING_TIMEOUT_SECONDS} (default 30, 5..600): Twilio's ringing time
 * @param maxCallDuration   {@code OUTBOUND_MAX_CALL_MINUTES} (default 60): how long a concurrency slot is held at most
 * @param machineDetection  {@code OUTBOUND_MACHINE_DETECTION} (default false): Twilio answering-machine detection
 * @param voicemailMessage  {@code OUTBOUND_VOICEMAIL_MESSAGE}: said after the beep when a machine answers; unset = hang up
 */
public record OutboundSettings(Optional<String> from, Optional<String> sipUri, Optional<URI> statusCallbackUrl,
                               List<String> allowedPrefixes, int maxConcurrent, Duration repeatInterval,
                               Optional<QuietHours> quietHours, Duration ringTimeout, Duration maxCallDuration,
                               boolean machineDetection, Optional<String> voicemailMessage) {
    public static final String CALLBACK_PATH = "/twilio/outbound-status";
    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");
    private static final Pattern PREFIX = Pattern.compile("\\+[0-9]{1,15}");
    /** Two-digit country codes; 1 and 7 are one digit, every other code three. */
    private static final Set<String> TWO_DIGIT = Set.of("20", "27", "30", "31", "32", "33", "34", "36", "39", "40",
            "41", "43", "44", "45", "46", "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61",
            "62", "63", "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98");

    public OutboundSettings {
        allowedPrefixes = List.copyOf(allowedPrefixes);
    }

    /** Quiet hours in a time zone: no launches from {@code start} until {@code end} (may wrap midnight). */
    public record QuietHours(LocalTime start, LocalTime end, ZoneId zone) {
        public boolean contains(java.time.Instant now) {
            LocalTime local = now.atZone(zone).toLocalTime();
            return start.isBefore(end) ? !local.isBefore(start) && local.isBefore(end)
                    : !local.isBefore(start) || local.isBefore(end);
        }
    }

    public static OutboundSettings fromEnv(Env env, Optional<URI> conferenceCallbackUrl) {
        Optional<String> from = env.optional("TWILIO_OUTBOUND_FROM").map(String::strip);
        from.ifPresent(number -> {
            if (!E164.matcher(number).matches()) {
                throw new ConfigException("TWILIO_OUTBOUND_FROM", "must be an E.164 number (+15551234567)");
            }
        });
        Optional<String> sipUri = env.optional("OPENAI_SIP_URI").map(String::strip);
        sipUri.ifPresent(uri -> {
            if (!uri.startsWith("sip:") || uri.contains("?") || uri.contains("<") || uri.contains("\"")) {
                throw new ConfigException("OPENAI_SIP_URI",
                        "must be the connector's sip: URI without headers (sip:<project id>@sip.api.openai.com;transport=tls)");
            }
        });
        Optional<URI> callback = env.url("OUTBOUND_STATUS_CALLBACK_URL")
                .or(() -> conferenceCallbackUrl.map(OutboundSettings::siblingCallback));
        List<String> prefixes = new ArrayList<>();
        env.optional("OUTBOUND_ALLOWED_PREFIXES").ifPresentOrElse(list -> {
            for (String raw : list.split(",")) {
                String prefix = raw.strip();
                if (prefix.isEmpty()) {
                    continue;
                }
                if (!PREFIX.matcher(prefix).matches()) {
                    throw new ConfigException("OUTBOUND_ALLOWED_PREFIXES", "entries must look like +1 or +4420");
                }
                prefixes.add(prefix);
            }
        }, () -> from.ifPresent(number -> prefixes.add(countryCode(number))));
        ZoneId zone;
        try {
            zone = ZoneId.of(env.get("OUTBOUND_TIME_ZONE", "UTC"));
        } catch (DateTimeException e) {
            throw new ConfigException("OUTBOUND_TIME_ZONE", "is not a time zone id (e.g. America/New_York)");
        }
        Optional<QuietHours> quiet = env.optional("OUTBOUND_QUIET_HOURS").map(text -> {
            String[] parts = text.strip().split("-");
            try {
                if (parts.length != 2) {
                    throw new DateTimeException("two times");
                }
                return new QuietHours(LocalTime.parse(parts[0].strip()), LocalTime.parse(parts[1].strip()), zone);
            } catch (DateTimeException e) {
                throw new ConfigException("OUTBOUND_QUIET_HOURS", "must look like 21:00-08:00");
            }
        });
        return new OutboundSettings(from, sipUri, callback, prefixes,
                env.intValue("OUTBOUND_MAX_CONCURRENT", 5, 1, 100),
                Duration.ofSeconds(env.intValue("OUTBOUND_REPEAT_INTERVAL_SECONDS", 3600, 0, 30 * 86_400)),
                quiet,
                Duration.ofSeconds(env.intValue("OUTBOUND_RING_TIMEOUT_SECONDS", 30, 5, 600)),
                Duration.ofMinutes(env.intValue("OUTBOUND_MAX_CALL_MINUTES", 60, 1, 240)),
                env.bool("OUTBOUND_MACHINE_DETECTION", false),
                env.optional("OUTBOUND_VOICEMAIL_MESSAGE").map(String::strip).filter(s -> !s.isEmpty()));
    }

    /** True when launches can dial: from-number, connector URI and callback URL are all set. */
    public boolean configured() {
        return from.isPresent() && sipUri.isPresent() && statusCallbackUrl.isPresent();
    }

    /** The E.164 country code of a number ({@code +44…} → {@code +44}). */
    static String countryCode(String e164) {
        String digits = e164.substring(1);
        if (digits.startsWith("1") || digits.startsWith("7")) {
            return "+" + digits.charAt(0);
        }
        return TWO_DIGIT.contains(digits.substring(0, 2)) ? "+" + digits.substring(0, 2) : "+" + digits.substring(0, 3);
    }

    private static URI siblingCallback(URI conference) {
        return conference.resolve(conference.getRawPath().endsWith("/twilio/conference-events")
                ? conference.getRawPath().substring(0, conference.getRawPath().length() - "/twilio/conference-events".length())
                + CALLBACK_PATH : CALLBACK_PATH);
    }

    public static boolean isE164(String number) {
        return number != null && E164.matcher(number).matches();
    }
}

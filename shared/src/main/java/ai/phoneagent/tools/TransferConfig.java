package ai.phoneagent.tools;

import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import ai.phoneagent.twilio.TwilioEndpoint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where transfers may go: a default target from {@code HUMAN_AGENT_NUMBER} and named ones from
 * {@code TRANSFER_TARGETS} ({@code name=uri[;warm|cold],…}). Empty means transfer is off. Also carries the Twilio
 * account and where its API answers ({@code TWILIO_API_BASE_URL}), shared by every Twilio client.
 */
public record TransferConfig(Map<String, TransferTarget> targets, String defaultTarget, String humanLabel,
                             Optional<TwilioCredentials> twilio, TwilioEndpoint twilioEndpoint) {
    public static final String DEFAULT_TARGET_NAME = "human";

    /** Twilio account credentials for warm transfers. */
    public record TwilioCredentials(String accountSid, String authToken) {
        @Override
        public String toString() {
            return "TwilioCredentials[accountSid=" + accountSid + ", authToken=redacted]";
        }
    }

    public TransferConfig {
        targets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(targets));
    }

    /** Reads transfer settings; an invalid target fails start-up naming the variable. */
    public static TransferConfig fromEnv(Env env) {
        TransferMode defaultMode;
        try {
            defaultMode = TransferMode.parse(env.get("TRANSFER_MODE", "warm"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("TRANSFER_MODE", e.getMessage());
        }
        Map<String, TransferTarget> targets = new LinkedHashMap<>();
        env.optional("HUMAN_AGENT_NUMBER").ifPresent(number -> {
            try {
                targets.put(DEFAULT_TARGET_NAME,
                        new TransferTarget(DEFAULT_TARGET_NAME, TransferTarget.normalise(number), defaultMode));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("HUMAN_AGENT_NUMBER", "must be an E.164 number (+15551234567), tel: or sip: URI");
            }
        });
        env.optional("TRANSFER_TARGETS").ifPresent(list -> {
            for (String entry : list.split(",")) {
                if (entry.isBlank()) {
                    continue;
                }
                int eq = entry.indexOf('=');
                if (eq <= 0) {
                    throw new ConfigException("TRANSFER_TARGETS", "entries must look like name=uri[;warm|cold]");
                }
                String name = entry.substring(0, eq).strip().toLowerCase(java.util.Locale.ROOT);
                String[] parts = entry.substring(eq + 1).split(";");
                try {
                    TransferMode mode = parts.length > 1 ? TransferMode.parse(parts[1]) : defaultMode;
                    targets.put(name, new TransferTarget(name, TransferTarget.normalise(parts[0]), mode));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("TRANSFER_TARGETS", "entry '" + name + "' " + e.getMessage());
                }
            }
        });
        String defaultTarget = env.optional("TRANSFER_DEFAULT_TARGET")
                .map(s -> s.toLowerCase(java.util.Locale.ROOT))
                .orElse(targets.isEmpty() ? null : targets.keySet().iterator().next());
        if (defaultTarget != null && !targets.containsKey(defaultTarget)) {
            throw new ConfigException("TRANSFER_DEFAULT_TARGET", "names no configured transfer target");
        }
        Optional<String> sid = env.optional("TWILIO_ACCOUNT_SID");
        Optional<String> token = env.optional("TWILIO_AUTH_TOKEN");
        Optional<TwilioCredentials> twilio = sid.isPresent() && token.isPresent()
                ? Optional.of(new TwilioCredentials(sid.get(), token.get())) : Optional.empty();
        boolean needsTwilio = targets.values().stream().anyMatch(t -> t.mode() == TransferMode.WARM);
        if (needsTwilio && twilio.isEmpty()) {
            throw new ConfigException(sid.isEmpty() ? "TWILIO_ACCOUNT_SID" : "TWILIO_AUTH_TOKEN",
                    "is required for warm transfers (or set TRANSFER_MODE=cold)");
        }
        return new TransferConfig(targets, defaultTarget, env.get("TWILIO_HUMAN_LABEL", "human agent"), twilio,
                TwilioEndpoint.fromEnv(env));
    }

    public boolean enabled() {
        return !targets.isEmpty();
    }

    /** The target the model asked for by name, or the default when it named none; empty if not allowed. */
    public Optional<TransferTarget> resolve(String requestedName) {
        if (requestedName == null || requestedName.isBlank()) {
            return Optional.ofNullable(defaultTarget).map(targets::get);
        }
        return Optional.ofNullable(targets.get(requestedName.strip().toLowerCase(java.util.Locale.ROOT)));
    }

    public List<String> targetNames() {
        return List.copyOf(targets.keySet());
    }
}

package ai.phoneagent.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Typed, validating view over environment variables (plus secrets resolved at start-up).
 *
 * <p>An empty or blank value counts as unset, so an empty optional variable means "off". Every name
 * read is remembered, which lets the deployment checks prove that the template sets what the code reads.
 */
public final class Env {
    private final Map<String, String> values;
    private final Set<String> namesRead = ConcurrentHashMap.newKeySet();

    private Env(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** The process environment. */
    public static Env system() {
        return new Env(System.getenv());
    }

    /** A fixed map of variables, for tests and the local stack. */
    public static Env of(Map<String, String> values) {
        return new Env(values);
    }

    /** A copy of this environment where the given values fill in variables that are unset here. */
    public Env withDefaults(Map<String, String> defaults) {
        Map<String, String> merged = new HashMap<>(defaults);
        values.forEach((k, v) -> {
            if (v != null && !v.isBlank()) {
                merged.put(k, v);
            }
        });
        return new Env(merged);
    }

    /** A copy of this environment with the given values overriding. */
    public Env with(Map<String, String> overrides) {
        Map<String, String> merged = new HashMap<>(values);
        merged.putAll(overrides);
        return new Env(merged);
    }

    /** The variable's value, or empty when it is unset or blank. */
    public Optional<String> optional(String name) {
        namesRead.add(name);
        String value = values.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    /** True when the variable is present at all, even empty (an empty value deliberately turns a feature off). */
    public boolean declared(String name) {
        namesRead.add(name);
        return values.containsKey(name);
    }

    /** The variable's value, or the default when unset. */
    public String get(String name, String defaultValue) {
        return optional(name).orElse(defaultValue);
    }

    /** The variable's value; fails when unset. */
    public String required(String name) {
        return optional(name).orElseThrow(() -> new ConfigException(name, "is required but not set"));
    }

    /** An integer within bounds, or the default when unset. */
    public int intValue(String name, int defaultValue, int min, int max) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.get());
            if (value < min || value > max) {
                throw new ConfigException(name, "must be between " + min + " and " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException(name, "must be a whole number");
        }
    }

    /** A duration given in milliseconds, within bounds, or the default when unset. */
    public Duration millis(String name, Duration defaultValue, Duration min, Duration max) {
        int ms = intValue(name, (int) defaultValue.toMillis(), (int) min.toMillis(), (int) max.toMillis());
        return Duration.ofMillis(ms);
    }

    /** A boolean ({@code true/false/1/0/yes/no/on/off}), or the default when unset. */
    public boolean bool(String name, boolean defaultValue) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new ConfigException(name, "must be true or false");
        };
    }

    /** An absolute http(s) or ws(s) URL, or empty when unset. */
    public Optional<URI> url(String name) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(raw.get());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!Set.of("http", "https", "ws", "wss").contains(scheme) || uri.getHost() == null) {
                throw new ConfigException(name, "must be an absolute http(s) URL");
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            throw new ConfigException(name, "is not a valid URL");
        }
    }

    /** Names of all variables read so far, sorted. */
    public Set<String> namesRead() {
        return Collections.unmodifiableSet(new TreeSet<>(namesRead));
    }
}

package ai.phoneagent.worker.summary;

import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import java.time.Duration;
import java.util.Optional;

/**
 * Post-call summaries from OpenAI's Responses API; an unset {@code SUMMARY_MODEL} turns them off.
 *
 * @param model              {@code SUMMARY_MODEL}: the model asked (e.g. {@code gpt-4.1-mini})
 * @param maxTranscriptChars {@code SUMMARY_MAX_TRANSCRIPT_CHARS}: the most transcript sent; a longer one keeps its
 *                           first third and its end, with a marker where the middle was left out (default 24,000)
 * @param maxOutputTokens    {@code SUMMARY_MAX_OUTPUT_TOKENS}: the answer's budget, reasoning included (default 1,000)
 * @param timeout            {@code SUMMARY_TIMEOUT_MS}: bound on one request, connect to last byte (default 30 s)
 * @param retryWindow        {@code SUMMARY_RETRY_MS}: how long a failing summary is retried before it is marked
 *                           {@code failed} (default 10 min)
 * @param eventWait          {@code SUMMARY_EVENT_WAIT_MS}: how long {@code call.ended} waits for a pending summary
 *                           before it is sent with what is there (default 60 s)
 */
public record SummarySettings(Optional<String> model, int maxTranscriptChars, int maxOutputTokens, Duration timeout,
                              Duration retryWindow, Duration eventWait) {

    public static SummarySettings fromEnv(Env env) {
        Optional<String> model = env.optional("SUMMARY_MODEL").map(String::strip).filter(m -> !m.isEmpty());
        model.ifPresent(m -> {
            if (!m.matches("[A-Za-z0-9._:\\-/]{1,100}")) {
                throw new ConfigException("SUMMARY_MODEL", "must be a model name (letters, digits, . _ : - /)");
            }
        });
        int chars = env.intValue("SUMMARY_MAX_TRANSCRIPT_CHARS", 24_000, 500, 400_000);
        int tokens = env.intValue("SUMMARY_MAX_OUTPUT_TOKENS", 1_000, 16, 32_000);
        Duration timeout = env.millis("SUMMARY_TIMEOUT_MS", Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofMinutes(5));
        Duration retry = env.millis("SUMMARY_RETRY_MS", Duration.ofMinutes(10), Duration.ZERO, Duration.ofHours(24));
        Duration wait = env.millis("SUMMARY_EVENT_WAIT_MS", Duration.ofSeconds(60), Duration.ZERO, Duration.ofMinutes(30));
        return new SummarySettings(model, chars, tokens, timeout, retry, wait);
    }

    /** Off: no summaries (the defaults otherwise). */
    public static SummarySettings off() {
        return new SummarySettings(Optional.empty(), 24_000, 1_000, Duration.ofSeconds(30), Duration.ofMinutes(10),
                Duration.ofSeconds(60));
    }

    public boolean enabled() {
        return model.isPresent();
    }

    /**
     * How long a claim on a call's summary holds: every retry plus a last request, with a margin. A worker that
     * dies while summarising leaves the call to the recovery sweep once it lapses.
     */
    public Duration claimLease() {
        return retryWindow.plus(timeout).plusMinutes(1);
    }

    /** How far back the recovery sweep looks for ended calls without a settled summary. */
    public Duration recoveryLookback() {
        Duration twoLeases = claimLease().multipliedBy(2);
        return twoLeases.compareTo(Duration.ofHours(1)) > 0 ? twoLeases : Duration.ofHours(1);
    }
}

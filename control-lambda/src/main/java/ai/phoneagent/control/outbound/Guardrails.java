package ai.phoneagent.control.outbound;

import ai.phoneagent.control.api.ApiError;
import ai.phoneagent.outbound.LaunchStore;
import java.time.Instant;

/**
 * Toll-fraud and consent limits, checked before anything is dialled; each refusal is a 4xx with its own code. The
 * allow-list and quiet hours are pure checks; the repeat interval and the concurrency cap are conditional writes on
 * guard items, so concurrent launches cannot both pass.
 */
final class Guardrails {
    private final OutboundSettings settings;
    private final LaunchStore store;

    Guardrails(OutboundSettings settings, LaunchStore store) {
        this.settings = settings;
        this.store = store;
    }

    /** The checks that need no state: allow-list, then quiet hours. */
    void checkDestination(String to, Instant now) {
        if (settings.allowedPrefixes().stream().noneMatch(to::startsWith)) {
            throw new ApiError(403, OutboundCodes.DESTINATION_NOT_ALLOWED,
                    "The destination is outside the allowed prefixes (OUTBOUND_ALLOWED_PREFIXES)");
        }
        settings.quietHours().filter(quiet -> quiet.contains(now)).ifPresent(quiet -> {
            throw new ApiError(409, OutboundCodes.QUIET_HOURS, "No outbound calls between " + quiet.start() + " and "
                    + quiet.end() + " (" + quiet.zone() + ")");
        });
    }

    /**
     * Takes the destination's repeat marker and a concurrency slot for {@code launchId}; returns the slot. On a
     * refusal whatever was taken is given back.
     */
    int take(String launchId, String to, Instant now) {
        boolean destination = settings.repeatInterval().isZero()
                || store.takeDestination(to, launchId, now.plus(settings.repeatInterval()), now);
        if (!destination) {
            throw new ApiError(429, OutboundCodes.DESTINATION_RECENTLY_CALLED,
                    "This number was called less than " + settings.repeatInterval().toSeconds() + " s ago");
        }
        Instant slotUntil = now.plus(settings.ringTimeout()).plus(settings.maxCallDuration());
        return store.takeSlot(settings.maxConcurrent(), launchId, slotUntil, now).orElseThrow(() -> {
            releaseDestination(launchId, to);
            return new ApiError(429, OutboundCodes.CONCURRENCY_LIMIT,
                    "Already " + settings.maxConcurrent() + " outbound calls in progress (OUTBOUND_MAX_CONCURRENT)");
        });
    }

    void releaseDestination(String launchId, String to) {
        if (!settings.repeatInterval().isZero()) {
            store.releaseDestination(to, launchId);
        }
    }
}

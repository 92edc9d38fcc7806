package ai.phoneagent.webhook;

import ai.phoneagent.agent.AgentProfile;
import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.SipHeader;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.outbound.Launch;
import ai.phoneagent.outbound.LaunchKeys;
import ai.phoneagent.outbound.LaunchStatus;
import ai.phoneagent.outbound.LaunchStore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Decides whom a call is accepted as. A call whose SIP headers carry {@code X-Launch-Id} and {@code X-Launch-Key} of
 * an unexpired, unused launch (or the launch already bound to this same call: a redelivery) is that launch's outbound
 * call: it is accepted with the launch's instructions, voice and model, the call item is marked {@code outbound} with
 * the launch id and opening, and the launch moves to {@code in_call}. Anything else (no launch headers, an unknown,
 * expired or used launch, a wrong key) is an ordinary inbound call with the configured profile; a launch id that did
 * not match is logged.
 */
public final class LaunchMatcher {
    private static final JsonLog LOG = JsonLog.forComponent("webhook");
    private static final Pattern LAUNCH_ID = Pattern.compile("[A-Za-z0-9_\\-]{1,64}");

    private final LaunchStore launches;
    private final CallStore calls;
    private final AgentProfile inbound;
    private final ObjectNode inboundBody;
    private final Clock clock;

    public LaunchMatcher(LaunchStore launches, CallStore calls, AgentProfile inbound, Clock clock) {
        this.launches = launches;
        this.calls = calls;
        this.inbound = inbound;
        this.inboundBody = inbound.acceptBody();
        this.clock = clock;
    }

    /** How a call is accepted: the accept body, and whether it is a launch's outbound call. */
    public record Acceptance(ObjectNode body, boolean outbound) {
    }

    /** How this call is accepted; binds and marks it first when it is a launch's outbound call. */
    public Acceptance match(CallRecord call) {
        return matchedLaunch(call).map(launch -> new Acceptance(launchBody(launch), true))
                .orElseGet(() -> new Acceptance(inboundBody, false));
    }

    /** The launch this call was placed for, bound to it and marked on the call; empty for an inbound call. */
    private Optional<Launch> matchedLaunch(CallRecord call) {
        Optional<String> launchId = header(call, LaunchKeys.ID_HEADER);
        if (launchId.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> key = header(call, LaunchKeys.KEY_HEADER);
        Optional<Launch> launch = LAUNCH_ID.matcher(launchId.get()).matches() && key.isPresent()
                ? launches.bindCall(launchId.get(), LaunchKeys.hash(key.get()), call.callId(), clock.instant())
                : Optional.empty();
        if (launch.isEmpty()) {
            LOG.warn("launch id did not match: accepted as an inbound call",
                    Map.of("call_id", call.callId(), "launch_id_present", true, "key_present", key.isPresent()));
            return Optional.empty();
        }
        Launch matched = launch.get();
        if (!calls.markOutbound(call.callId(), matched.launchId(), matched.opening())) {
            LOG.warn("call could not be marked outbound: accepted as an inbound call",
                    Map.of("call_id", call.callId(), "launch_id", matched.launchId()));
            return Optional.empty();
        }
        launches.advance(matched.launchId(), LaunchStatus.IN_CALL, null, call.callId(), clock.instant());
        LOG.info("outbound call matched its launch", Map.of("call_id", call.callId(), "launch_id", matched.launchId()));
        return Optional.of(matched);
    }

    private ObjectNode launchBody(Launch matched) {
        return new AgentProfile(or(matched.model(), inbound.model()), or(matched.voice(), inbound.voice()),
                instructions(matched), inbound.transcriptionModel(),
                inbound.transcriptionLanguage(), inbound.tools()).acceptBody();
    }

    /** The launch's instructions (or the configured ones), followed by whom the agent is calling and why. */
    private String instructions(Launch launch) {
        StringBuilder text = new StringBuilder(or(launch.instructions(), inbound.instructions()));
        text.append("\n\nThis is an outbound call that you placed; the person did not call you.");
        if (launch.calleeName() != null) {
            text.append(" You are calling ").append(launch.calleeName()).append('.');
        }
        if (launch.objective() != null) {
            text.append(" Objective of the call: ").append(launch.objective());
        }
        return text.toString();
    }

    private static Optional<String> header(CallRecord call, String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return call.sipHeaders().stream()
                .filter(h -> h.name() != null && h.name().toLowerCase(Locale.ROOT).equals(wanted))
                .map(SipHeader::value)
                .filter(v -> v != null && !v.isBlank())
                .map(String::strip)
                .findFirst();
    }

    private static String or(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}

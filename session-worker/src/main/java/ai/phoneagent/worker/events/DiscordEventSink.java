package ai.phoneagent.worker.events;

import ai.phoneagent.call.Turn;
import ai.phoneagent.worker.discord.DiscordSink;
import ai.phoneagent.worker.discord.DiscordText;

/** The Discord adapter of {@link LiveEventSink}: each event becomes a line for the call's channel (bounded, ordered). */
public final class DiscordEventSink implements LiveEventSink {
    private final DiscordSink discord;
    private final boolean maskNumbers;

    public DiscordEventSink(DiscordSink discord, boolean maskNumbers) {
        this.discord = discord;
        this.maskNumbers = maskNumbers;
    }

    @Override
    public void publish(LiveEvent event) {
        String line = switch (event) {
            case LiveEvent.CallStarted s -> s.outbound()
                    ? DiscordText.outboundStartNotice(s.launchId(), s.from(), maskNumbers)
                    : DiscordText.startNotice(s.from(), s.to(), maskNumbers);
            case LiveEvent.Utterance u -> u.speaker() == Turn.Speaker.CALLER ? DiscordText.callerLine(u.text())
                    : DiscordText.agentLine(u.text());
            case LiveEvent.CallEnded e -> DiscordText.endNotice(e.duration(), e.reason());
            // the transcript's own lines already tell the channel about a transfer
            case LiveEvent.CallTransferred t -> null;
        };
        if (line != null) {
            discord.post(event.callId(), line);
        }
    }
}

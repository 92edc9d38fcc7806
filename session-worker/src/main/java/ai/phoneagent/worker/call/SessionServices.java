package ai.phoneagent.worker.call;

import ai.phoneagent.call.CallStore;
import ai.phoneagent.openai.CallsClient;
import ai.phoneagent.queue.CallsQueue;
import ai.phoneagent.tools.ToolCatalog;
import ai.phoneagent.worker.discord.DiscordSink;
import ai.phoneagent.worker.realtime.RealtimeConnector;
import ai.phoneagent.worker.tools.HttpToolInvoker;
import ai.phoneagent.worker.tools.TransferService;
import ai.phoneagent.worker.transcript.TranscriptRecorder;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** The collaborators and settings every call session of a worker shares. */
public record SessionServices(
        String owner,
        CallStore store,
        CallsQueue queue,
        CallsClient calls,
        RealtimeConnector connector,
        TranscriptRecorder transcript,
        DiscordSink discord,
        TransferService transfer,
        HttpToolInvoker httpTools,
        ToolCatalog catalog,
        Optional<String> welcomeMessage,
        boolean maskNumbers,
        Duration endCallDelay,
        Duration endCallTimeout,
        CallLifecycleListener lifecycle,
        Clock clock) {
}

package ai.phoneagent.worker.call;

import ai.phoneagent.call.CallStore;
import ai.phoneagent.openai.CallsClient;
import ai.phoneagent.openai.RetryPolicy;
import ai.phoneagent.queue.CallsQueue;
import ai.phoneagent.tools.ToolRegistry;
import ai.phoneagent.worker.events.LiveEventSink;
import ai.phoneagent.worker.realtime.RealtimeConnector;
import ai.phoneagent.worker.tools.TransferService;
import ai.phoneagent.worker.transcript.CallJournal;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import okhttp3.OkHttpClient;

/**
 * The collaborators and settings every call session of a worker shares: one timer thread and one I/O executor for
 * all calls, so an idle call holds no thread of its own.
 *
 * @param events        where live call events go (Discord is one adapter)
 * @param toolHttp      the client HTTP tools use (redirects off)
 * @param tools         what runs when the model calls a tool; the webhook offers the same registry's definitions
 * @param reattach      backoff of re-attaches after a drop; its deadline is the re-attach window
 * @param attachTimeout bound on one attach (connect and upgrade)
 * @param timers   the worker's shared scheduler; tasks only post messages to a call's mailbox
 * @param io       where blocking work runs (OpenAI REST, store writes): virtual threads
 */
public record SessionServices(
        String owner,
        CallStore store,
        CallsQueue queue,
        CallsClient calls,
        RealtimeConnector connector,
        CallJournal journal,
        LiveEventSink events,
        TransferService transfer,
        OkHttpClient toolHttp,
        ToolRegistry tools,
        GreetingPolicy greeting,
        Duration endCallDelay,
        Duration endCallTimeout,
        RetryPolicy reattach,
        Duration attachTimeout,
        AttachHealth attachHealth,
        CallLifecycleListener lifecycle,
        ScheduledExecutorService timers,
        Executor io,
        Clock clock) {
}

package ai.phoneagent.localstack;

import ai.phoneagent.simulator.discord.DiscordMessage;
import ai.phoneagent.simulator.discord.FakeDiscord;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/** Prints what the worker posts to the (fake) Discord channel, so the console shows the live transcript. */
final class DiscordEcho implements AutoCloseable {
    private final Thread thread;
    private volatile boolean running = true;

    DiscordEcho(FakeDiscord discord, PrintStream console) {
        thread = Thread.ofVirtual().name("discord-echo").start(() -> {
            int printed = 0;
            while (running) {
                List<DiscordMessage> messages = discord.messages();
                for (; printed < messages.size(); printed++) {
                    messages.get(printed).content().lines().forEach(line -> console.println("discord | " + line));
                }
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
        });
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}

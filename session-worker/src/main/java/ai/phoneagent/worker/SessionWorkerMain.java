package ai.phoneagent.worker;

import ai.phoneagent.aws.AwsClients;
import ai.phoneagent.aws.AwsSettings;
import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import ai.phoneagent.config.Secrets;
import ai.phoneagent.logging.JsonLog;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** The container's entry point: reads configuration, starts the worker, drains it on SIGTERM. */
public final class SessionWorkerMain {
    private static final JsonLog LOG = JsonLog.forComponent("main");

    private SessionWorkerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        // bind SLF4J on this one thread first: libraries logging from several threads while it binds get a replay warning
        org.slf4j.LoggerFactory.getILoggerFactory();
        WorkerConfig config;
        try {
            Env env = Env.system();
            // secrets come from Secrets Manager once per container, beneath the plain environment
            env = Secrets.resolve(env, arn -> {
                try (var secrets = new AwsClients(AwsSettings.fromEnv(Env.system())).secrets()) {
                    return secrets.getSecretValue(b -> b.secretId(arn)).secretString();
                }
            });
            config = WorkerConfig.fromEnv(env);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        LOG.info("configuration read", Map.of("config", config.toString()));
        SessionWorker worker = SessionWorker.start(config, Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("shutdown").unstarted(() -> {
            worker.close();
            stopped.countDown();
        }));
        stopped.await();
    }
}

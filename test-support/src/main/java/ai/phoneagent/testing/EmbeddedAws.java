package ai.phoneagent.testing;

import ai.phoneagent.aws.AwsSettings;
import ai.phoneagent.localaws.LocalAws;

/** ElasticMQ and DynamoDB Local started once per test JVM on loopback and shared by every test class. */
public final class EmbeddedAws implements AwsBackend {
    private static EmbeddedAws instance;
    private final LocalAws local;

    private EmbeddedAws(LocalAws local) {
        this.local = local;
    }

    /** The JVM-wide embedded backend, started on first use and stopped at exit. */
    public static synchronized EmbeddedAws shared() {
        if (instance == null) {
            LocalAws local = LocalAws.start();
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(local::close));
            instance = new EmbeddedAws(local);
        }
        return instance;
    }

    @Override
    public AwsSettings settings() {
        return local.settings();
    }

    @Override
    public String name() {
        return "embedded";
    }
}

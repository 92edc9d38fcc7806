package ai.phoneagent.testing;

import ai.phoneagent.aws.AwsSettings;
import java.net.URI;
import java.util.Optional;
import org.testcontainers.localstack.LocalStackContainer;

/**
 * LocalStack in Docker, for the same integration suites where a Docker engine exists. Test classes that use it
 * carry {@code @Testcontainers(disabledWithoutDocker = true)}, so they are reported skipped elsewhere.
 */
public final class LocalStackAws implements AwsBackend {
    /** The LocalStack image the suites run against. */
    public static final String IMAGE = "localstack/localstack:4.4";
    private static LocalStackAws instance;
    private final LocalStackContainer container;

    private LocalStackAws(LocalStackContainer container) {
        this.container = container;
    }

    /** The JVM-wide container, started on first use. */
    public static synchronized LocalStackAws shared() {
        if (instance == null) {
            LocalStackContainer container = new LocalStackContainer(IMAGE).withServices("sqs", "dynamodb");
            container.start();
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(container::stop));
            instance = new LocalStackAws(container);
        }
        return instance;
    }

    @Override
    public AwsSettings settings() {
        URI endpoint = container.getEndpoint();
        return new AwsSettings(container.getRegion(), Optional.of(endpoint), Optional.of(endpoint),
                Optional.of(new AwsSettings.StaticKeys(container.getAccessKey(), container.getSecretKey())));
    }

    @Override
    public String name() {
        return "localstack";
    }
}

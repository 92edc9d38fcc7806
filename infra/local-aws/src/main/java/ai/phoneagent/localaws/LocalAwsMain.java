package ai.phoneagent.localaws;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

/**
 * One embedded AWS engine as a process of its own, so the chaos suite can pause it with SIGSTOP and resume it with
 * SIGCONT while everything else runs on:
 * <pre>
 *   java -cp infra/local-stack/target/local-stack.jar ai.phoneagent.localaws.LocalAwsMain sqs|dynamodb|both [PORT [PORT]]
 * </pre>
 * Binds {@code LOCAL_STACK_HOST} (default 127.0.0.1) and prints {@code AWS_ENDPOINT_URL_SQS=…} and/or
 * {@code AWS_ENDPOINT_URL_DYNAMODB=…}, then {@code ready}.
 */
public final class LocalAwsMain {
    private LocalAwsMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        PrintStream out = System.out;
        String which = args.length > 0 ? args[0] : "both";
        String host = System.getenv().getOrDefault("LOCAL_STACK_HOST", LocalAws.LOOPBACK);
        int first = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        int second = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        LocalAws engines = switch (which) {
            case "sqs" -> LocalAws.startSqsOnly(host, first);
            case "dynamodb" -> LocalAws.startDynamoOnly(host, first);
            case "both" -> LocalAws.start(host, first, second);
            default -> {
                System.err.println("usage: LocalAwsMain sqs|dynamodb|both [PORT [PORT]]");
                System.exit(2);
                yield null;
            }
        };
        if (engines.sqsEndpoint() != null) {
            out.println("AWS_ENDPOINT_URL_SQS=" + engines.sqsEndpoint());
        }
        if (engines.dynamoEndpoint() != null) {
            out.println("AWS_ENDPOINT_URL_DYNAMODB=" + engines.dynamoEndpoint());
        }
        out.println("ready");
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            engines.close();
            stopped.countDown();
        }));
        stopped.await();
    }
}

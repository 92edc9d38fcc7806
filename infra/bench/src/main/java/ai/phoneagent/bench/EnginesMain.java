package ai.phoneagent.bench;

import ai.phoneagent.aws.AwsClients;
import ai.phoneagent.localaws.LocalAws;
import ai.phoneagent.localaws.LocalResources;
import java.io.IOException;

/**
 * The AWS engines (ElasticMQ, DynamoDB Local) in a process of their own, so the benchmark's CPU and latency figures
 * are the system's, not the engines'. Creates the calls table and queue, prints one line
 * {@code ENGINES sqs=<url> dynamo=<url> queue=<url>}, and runs until its standard input closes (the bench ended).
 */
public final class EnginesMain {
    private EnginesMain() {
    }

    public static void main(String[] args) throws IOException {
        try (LocalAws aws = LocalAws.start()) {
            AwsClients clients = new AwsClients(aws.settings());
            LocalResources.createTable(clients.dynamo(), "calls");
            String queue = LocalResources.createCallsQueue(clients.sqs(), "calls", 30);
            System.out.println("ENGINES sqs=" + aws.sqsEndpoint() + " dynamo=" + aws.dynamoEndpoint() + " queue=" + queue);
            System.out.flush();
            while (System.in.read() >= 0) {
                // block until the parent goes away
            }
        }
        System.exit(0);
    }
}

package ai.phoneagent.templatechecks;

import java.util.Map;
import java.util.Set;

/**
 * What each part's role must allow: the AWS calls its code makes (shared/ {@code CallStore}, {@code CommandStore},
 * {@code CallsQueue}, {@code ControlQueues}; TransactWriteItems is authorised per item as PutItem/UpdateItem), and
 * nothing else. Change this together with the code and {@code template.yaml}.
 */
final class Expectations {
    static final Map<Part, Map<Target, Set<String>>> PERMISSIONS = Map.of(
            Part.WEBHOOK, Map.of(
                    // recordIncoming (PutItem), get, claimStep/completeStep/markIntakeFailed (UpdateItem)
                    Target.CALLS_TABLE, Set.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
                    Target.CALLS_QUEUE, Set.of("sqs:SendMessage"),
                    Target.SECRET, Set.of("secretsmanager:GetSecretValue"),
                    Target.OWN_LOG_GROUP, Set.of("logs:CreateLogStream", "logs:PutLogEvents")),
            Part.CONTROL, Map.of(
                    // calls, transcripts and events (GetItem, Query), commands (PutItem, GetItem, UpdateItem),
                    // outbound launches, guard items and templates (LaunchStore: also DeleteItem)
                    Target.CALLS_TABLE, Set.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                            "dynamodb:DeleteItem", "dynamodb:Query"),
                    // live and recent calls (gsi1)
                    Target.CALLS_TABLE_INDEXES, Set.of("dynamodb:Query"),
                    // the call's control queue: made for its first command (CreateQueue), send, deleted when the
                    // call ended meanwhile; the owner's nudge queue: SendMessage
                    Target.CONTROL_QUEUES, Set.of("sqs:CreateQueue", "sqs:SendMessage", "sqs:DeleteQueue"),
                    // CallEventReplay: re-enqueues a call's events
                    Target.CALL_EVENTS_QUEUE, Set.of("sqs:SendMessage"),
                    Target.SECRET, Set.of("secretsmanager:GetSecretValue"),
                    Target.OWN_LOG_GROUP, Set.of("logs:CreateLogStream", "logs:PutLogEvents")),
            Part.WORKER, Map.of(
                    // leases, turns (transactions), events, command results, pending commands, orphan sweep
                    Target.CALLS_TABLE, Set.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"),
                    Target.CALLS_TABLE_INDEXES, Set.of("dynamodb:Query"),
                    // CallsQueue: receive, delete, retryLater; send for hand-off
                    Target.CALLS_QUEUE, Set.of("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
                            "sqs:SendMessage"),
                    // CallEventPublisher sends; CallEventDeliverer receives, deletes, delays (retries)
                    Target.CALL_EVENTS_QUEUE, Set.of("sqs:ReceiveMessage", "sqs:DeleteMessage",
                            "sqs:ChangeMessageVisibility", "sqs:SendMessage"),
                    // ControlQueues: find, send, receive, delete messages and queues, read attributes; the worker's
                    // nudge queue (same prefix): create, receive, delete messages, delete at shutdown
                    Target.CONTROL_QUEUES, Set.of("sqs:CreateQueue", "sqs:GetQueueUrl", "sqs:GetQueueAttributes",
                            "sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:DeleteQueue"),
                    // ControlQueues.listAll (the sweep); ListQueues has no resource-level scoping
                    Target.ANY, Set.of("sqs:ListQueues"),
                    Target.SECRET, Set.of("secretsmanager:GetSecretValue")));

    private Expectations() {
    }
}

package ai.phoneagent.templatechecks;

import java.util.Set;

/** A deployable part of the system: where its code lives and which template resource runs it. */
public enum Part {
    WEBHOOK("webhook-lambda", Kind.LAMBDA, "WebhookFunction",
            "ai.phoneagent.webhook.WebhookHandler", "ai.phoneagent.webhook.WebhookConfig"),
    CONTROL("control-lambda", Kind.LAMBDA, "ControlFunction",
            "ai.phoneagent.control.ControlHandler", "ai.phoneagent.control.ControlConfig"),
    WORKER("session-worker", Kind.ECS_SERVICE, "WorkerTaskDefinition",
            "ai.phoneagent.worker.SessionWorkerMain", "ai.phoneagent.worker.WorkerConfig");

    /** How the part runs. */
    public enum Kind {
        LAMBDA(Set.of("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
                "AWS_EXECUTION_ENV", "LAMBDA_TASK_ROOT", "_HANDLER", "TZ")),
        ECS_SERVICE(Set.of("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "ECS_CONTAINER_METADATA_URI",
                "ECS_CONTAINER_METADATA_URI_V4"));

        private final Set<String> platformVariables;

        Kind(Set<String> platformVariables) {
            this.platformVariables = platformVariables;
        }

        /** Variables the platform sets in every Lambda sandbox / Fargate task. */
        public Set<String> platformVariables() {
            return platformVariables;
        }
    }

    /** The ECS container that runs the worker. */
    public static final String WORKER_CONTAINER = "session-worker";

    private final String module;
    private final Kind kind;
    private final String logicalId;
    private final String entryClass;
    private final String configClass;

    Part(String module, Kind kind, String logicalId, String entryClass, String configClass) {
        this.module = module;
        this.kind = kind;
        this.logicalId = logicalId;
        this.entryClass = entryClass;
        this.configClass = configClass;
    }

    /** The Maven module (and folder) of the part's code. */
    public String module() {
        return module;
    }

    public Kind kind() {
        return kind;
    }

    /** The template resource that runs it: the function, or the worker's task definition. */
    public String logicalId() {
        return logicalId;
    }

    /** The Lambda handler class, or the worker's main class. */
    public String entryClass() {
        return entryClass;
    }

    /** The class whose {@code fromEnv(Env)} reads the part's configuration. */
    public String configClass() {
        return configClass;
    }

    /** The artifact the reactor builds for it: {@code <module>/target/<module>.jar}. */
    public String artifact() {
        return module + "/target/" + module + ".jar";
    }

    @Override
    public String toString() {
        return module;
    }
}

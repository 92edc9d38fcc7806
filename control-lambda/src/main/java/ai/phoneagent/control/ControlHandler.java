package ai.phoneagent.control;

import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import ai.phoneagent.logging.JsonLog;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.crac.Core;
import org.crac.Resource;

/**
 * Lambda entry point for the control API ({@code /control/**}) and the Twilio conference callback. Thin: event in,
 * {@link ControlService} call, response out. The no-arg constructor (what the Lambda runtime uses) builds everything
 * once per container from the environment and registers a CRaC resource that primes the hot path before a
 * SnapStart snapshot.
 */
public final class ControlHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private static final JsonLog LOG = JsonLog.forComponent("control-lambda");

    /** Rounds of offline requests run before a snapshot. */
    static final int PRIMING_ROUNDS = 50;
    private final ControlService service;
    private final Primer primer;

    /** Used by the Lambda runtime: configuration from the environment (and Secrets Manager via SECRETS_ARN). */
    public ControlHandler() {
        this(loadConfig());
    }

    private ControlHandler(ControlConfig config) {
        this.service = ControlService.create(config);
        this.primer = new Primer(() -> {
            service.prime();
            OfflinePriming.prime(config, Clock.systemUTC(), PRIMING_ROUNDS);
        });
        Core.getGlobalContext().register(primer);
    }

    /** For tests and local servers: a ready service. */
    public ControlHandler(ControlService service) {
        this.service = service;
        this.primer = new Primer(service::prime);
    }

    private static ControlConfig loadConfig() {
        try {
            return ControlConfig.load(Env.system());
        } catch (ConfigException e) {
            LOG.error(e.getMessage(), Map.of("variable", e.variable()));
            throw e;
        }
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        Duration remaining = context == null ? null : Duration.ofMillis(Math.max(0, context.getRemainingTimeInMillis()));
        return service.handle(event, remaining);
    }

    /** The CRaC resource (SnapStart): primes before the snapshot; nothing to reopen after restore. */
    public Resource crac() {
        return primer;
    }

    static final class Primer implements Resource {
        private final Runnable priming;

        Primer(Runnable priming) {
            this.priming = priming;
        }

        @Override
        public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
            // validation paths, then the real request path on offline AWS clients: no network I/O outlives the restore
            priming.run();
        }

        @Override
        public void afterRestore(org.crac.Context<? extends Resource> context) {
            // no connections were opened before the snapshot; the SDK's URL-connection clients open them lazily
        }
    }
}

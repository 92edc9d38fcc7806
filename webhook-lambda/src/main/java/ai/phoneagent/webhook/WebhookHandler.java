package ai.phoneagent.webhook;

import ai.phoneagent.aws.RuntimeEnv;
import ai.phoneagent.config.Env;
import ai.phoneagent.metrics.MetricRecorder;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.function.Supplier;
import org.crac.Core;
import org.crac.Resource;

/**
 * Lambda entry point for {@code POST /openai/webhook} (API Gateway HTTP API, payload v2). Thin: it turns the event
 * into a {@link WebhookRequest}, asks the {@link WebhookService}, and maps the answer back.
 */
public final class WebhookHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>, Resource {
    private static final Map<String, String> JSON_HEADERS = Map.of("content-type", "application/json");
    /** Deliveries run through the offline copy of the service before a snapshot. */
    static final int PRIMING_DELIVERIES = 200;
    private final WebhookService service;
    private final Runnable primer;

    /** Used by Lambda: builds everything once per container (before the SnapStart snapshot). */
    public WebhookHandler() {
        this(WebhookApp.startLambdaInit(), Clock.systemUTC());
    }

    /**
     * The configuration and clients are built while {@code metrics} is being built on a second thread; the service
     * asks for it at its first measurement (the end of the first request), and a snapshot waits for it first.
     */
    private WebhookHandler(Supplier<? extends MetricRecorder> metrics, Clock clock) {
        WebhookConfig config = WebhookConfig.fromEnv(RuntimeEnv.load(Env.system()));
        this.service = WebhookApp.service(config, clock, () -> MetricRecorder.whenReady(metrics));
        this.primer = () -> {
            metrics.get(); // the second thread's work is done before the snapshot, never half-way
            WebhookApp.primeOffline(config, clock, PRIMING_DELIVERIES);
        };
        Core.getGlobalContext().register(this);
    }

    public WebhookHandler(WebhookService service) {
        this.service = service;
        this.primer = service::prime;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        WebhookResponse response = service.handle(toRequest(event));
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(response.status())
                .withHeaders(JSON_HEADERS)
                .withBody(response.body())
                .build();
    }

    /** The request as the service sees it; base64 bodies are decoded, since the signature covers the raw bytes. */
    static WebhookRequest toRequest(APIGatewayV2HTTPEvent event) {
        String method = event.getRequestContext() != null && event.getRequestContext().getHttp() != null
                ? event.getRequestContext().getHttp().getMethod() : "POST";
        String path = event.getRawPath() == null ? "/" : event.getRawPath();
        byte[] body;
        if (event.getBody() == null) {
            body = new byte[0];
        } else if (event.getIsBase64Encoded()) {
            try {
                body = Base64.getDecoder().decode(event.getBody());
            } catch (IllegalArgumentException e) {
                body = new byte[0];
            }
        } else {
            body = event.getBody().getBytes(StandardCharsets.UTF_8);
        }
        return new WebhookRequest(method, path, event.getHeaders() == null ? Map.of() : event.getHeaders(), body);
    }

    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        // Load and JIT the real hot path (verification, intake, AWS SDK, OkHttp) on offline clients: no network
        // I/O that could outlive the restore.
        primer.run();
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // nothing to reopen: HTTP clients connect lazily
    }
}

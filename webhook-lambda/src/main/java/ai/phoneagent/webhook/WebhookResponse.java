package ai.phoneagent.webhook;

import ai.phoneagent.json.Json;

/** The HTTP answer to OpenAI: a status and a small JSON body (never secrets or stack traces). */
public record WebhookResponse(int status, String body) {
    static WebhookResponse ok(String outcome) {
        return new WebhookResponse(200, Json.write(Json.object().put("ok", true).put("outcome", outcome)));
    }

    static WebhookResponse error(int status, String code, String message) {
        var body = Json.object().put("ok", false);
        body.set("error", Json.object().put("code", code).put("message", message));
        return new WebhookResponse(status, Json.write(body));
    }
}

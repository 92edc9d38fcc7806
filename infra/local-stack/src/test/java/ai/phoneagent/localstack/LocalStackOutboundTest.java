package ai.phoneagent.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.Turn;
import ai.phoneagent.config.Env;
import ai.phoneagent.json.Json;
import ai.phoneagent.testing.Await;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The outbound call {@code scripts/run.sh} tells you to place, placed exactly as printed, over HTTP. */
class LocalStackOutboundTest {
    private static LocalStack stack;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start(Env.of(Map.of("PORT", "0")), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    @Test
    void thePrintedOutboundCommandPlacesACallThatSpeaksItsOpeningAndCompletes() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OutboundDemo.printHowTo(stack, new PrintStream(out, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        Matcher command = Pattern.compile("curl -H \"Authorization: Bearer \\$CONTROL_API_TOKEN\" -H 'Content-Type: application/json'"
                + " -d '(\\{.*?})' (http\\S+/control/outbound)\\n").matcher(printed);
        assertThat(command.find()).as(printed).isTrue();
        assertThat(printed).as("the token is read from the credentials file").contains("source .local/credentials.env");
        String token = stack.env().required("CONTROL_API_TOKEN"); // what .local/credentials.env exports
        assertThat(printed).doesNotContain(token);

        HttpResponse<String> launched = http.send(HttpRequest.newBuilder(URI.create(command.group(2)))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(command.group(1))).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(launched.statusCode()).as(launched.body()).isEqualTo(200);
        String launchId = Json.parse(launched.body()).path("launch_id").asText();
        JsonNode done = awaitCompleted(token, launchId);
        String callId = done.at("/launch/call_id").asText();
        CallRecord call = Await.value("the worker ends the call", Duration.ofSeconds(30), () -> stack.store().get(callId)
                .filter(c -> c.status() == CallStatus.ENDED).orElse(null));
        assertThat(call.direction()).isEqualTo("outbound");
        assertThat(stack.store().turns(callId, -1, 10).items()).extracting(Turn::text)
                .startsWith(Json.parse(command.group(1)).path("opening").asText());
    }

    private JsonNode awaitCompleted(String token, String launchId) {
        return Await.value("launch " + launchId + " completed", Duration.ofSeconds(30), () -> {
            JsonNode launch = get(token, "/control/outbound/" + launchId);
            return launch.at("/launch/status").asText().equals("completed") ? launch : null;
        });
    }

    private JsonNode get(String token, String path) {
        try {
            return Json.parse(http.send(HttpRequest.newBuilder(stack.baseUrl().resolve(path))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

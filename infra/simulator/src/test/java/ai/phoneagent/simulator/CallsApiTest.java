package ai.phoneagent.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CallsApiTest {
    private static final MediaType JSON = MediaType.get("application/json");
    private static final String GOOD_ACCEPT = """
            {"type":"realtime","model":"gpt-realtime","instructions":"Be kind.",
             "audio":{"input":{"transcription":{"model":"gpt-4o-mini-transcribe"},
                               "turn_detection":{"type":"semantic_vad","interrupt_response":true}},
                      "output":{"voice":"alloy"}}}""";
    private final ConnectorSimulator simulator = ConnectorSimulator.start();

    @AfterEach
    void stop() {
        simulator.close();
    }

    record Answer(int code, String body) {
        JsonNode json() {
            try {
                return Json.parse(body);
            } catch (IOException e) {
                throw new AssertionError(body, e);
            }
        }
    }

    private Answer post(String callId, String verb, String body) {
        return post(RealtimeTestClient.HTTP, callId, verb, body, SimulatorConfig.DEFAULT_API_KEY);
    }

    private Answer post(OkHttpClient http, String callId, String verb, String body, String key) {
        Request request = new Request.Builder()
                .url(simulator.baseUrl() + "/v1/realtime/calls/" + callId + "/" + verb)
                .header("Authorization", "Bearer " + key)
                .post(RequestBody.create(body == null ? "" : body, JSON))
                .build();
        try (Response response = http.newCall(request).execute()) {
            return new Answer(response.code(), response.body().string());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void acceptOfAnyCallAnswers200WithAnEmptyBodyAndMarksItAccepted() {
        String callId = OpenAiIds.callId();

        Answer answer = post(callId, "accept", GOOD_ACCEPT);

        assertThat(answer.code()).isEqualTo(200);
        assertThat(answer.body()).isEmpty();
        assertThat(simulator.call(callId).accepted()).isTrue();
    }

    @Test
    void aWrongKeyGets401InOpenAisErrorShapeAndIsRecorded() {
        String callId = OpenAiIds.callId();

        Answer answer = post(RealtimeTestClient.HTTP, callId, "accept", GOOD_ACCEPT, "sk-wrong");

        assertThat(answer.code()).isEqualTo(401);
        assertThat(answer.json().at("/error/code").asText()).isEqualTo("invalid_api_key");
        assertThat(simulator.requests(callId)).singleElement()
                .satisfies(r -> assertThat(r.status()).isEqualTo(401))
                .satisfies(r -> assertThat(r.authorized()).isFalse());
        assertThat(simulator.call(callId).accepted()).isFalse();
    }

    @Test
    void everyRequestIsRecordedWithMethodPathVerbHeadersBodyAndTime() {
        String callId = OpenAiIds.callId();
        post(callId, "accept", GOOD_ACCEPT);
        post(callId, "refer", "{\"target_uri\":\"tel:+14155550123\"}");

        assertThat(simulator.requests(callId)).hasSize(2);
        ConnectorRequest accept = simulator.requests(callId).getFirst();
        assertThat(accept.method()).isEqualTo("POST");
        assertThat(accept.path()).isEqualTo("/v1/realtime/calls/" + callId + "/accept");
        assertThat(accept.endpoint()).isEqualTo(ConnectorRequest.Endpoint.ACCEPT);
        assertThat(accept.header("authorization")).isEqualTo("Bearer " + SimulatorConfig.DEFAULT_API_KEY);
        assertThat(accept.json().path("model").asText()).isEqualTo("gpt-realtime");
        assertThat(accept.receivedAt()).isNotNull();
        assertThat(accept.toString()).doesNotContain(SimulatorConfig.DEFAULT_API_KEY).contains("<redacted>");
        assertThat(simulator.call(callId).referTargets()).containsExactly("tel:+14155550123");
    }

    @Test
    void scriptedAnswersAreServedInOrderThenTheDefaultReturns() {
        String callId = OpenAiIds.callId();
        simulator.answer(callId, CallVerb.ACCEPT, CallsAnswer.serverError(), CallsAnswer.serverError(503),
                CallsAnswer.ok());

        assertThat(post(callId, "accept", GOOD_ACCEPT).code()).isEqualTo(500);
        assertThat(simulator.call(callId).accepted()).isFalse();
        assertThat(post(callId, "accept", GOOD_ACCEPT).code()).isEqualTo(503);
        assertThat(post(callId, "accept", GOOD_ACCEPT).code()).isEqualTo(200);
        assertThat(simulator.call(callId).accepted()).isTrue();
        assertThat(post(callId, "accept", GOOD_ACCEPT).code()).isEqualTo(200);
        assertThat(simulator.requests(callId)).extracting(ConnectorRequest::status).containsExactly(500, 503, 200, 200);
    }

    @Test
    void aScripted404MeansTheCallIsGone() {
        String callId = OpenAiIds.callId();
        simulator.answer(callId, CallVerb.ACCEPT, CallsAnswer.notFound());

        Answer answer = post(callId, "accept", GOOD_ACCEPT);

        assertThat(answer.code()).isEqualTo(404);
        assertThat(answer.json().at("/error/type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void aScripted4xxCarriesMessageTypeAndCode() {
        String callId = OpenAiIds.callId();
        simulator.answer(callId, CallVerb.REFER,
                CallsAnswer.error(409, "Call is not in a referable state.", "invalid_request_error", "call_state"));

        Answer answer = post(callId, "refer", "{\"target_uri\":\"sip:agent@example.com\"}");

        assertThat(answer.code()).isEqualTo(409);
        assertThat(answer.json().at("/error/message").asText()).isEqualTo("Call is not in a referable state.");
        assertThat(answer.json().at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(answer.json().at("/error/code").asText()).isEqualTo("call_state");
        assertThat(answer.json().path("error").has("param")).isTrue();
    }

    @Test
    void aSlowAnswerArrivesAfterItsDelayAndTripsAShortClientTimeout() {
        String callId = OpenAiIds.callId();
        simulator.answer(callId, CallVerb.HANGUP, CallsAnswer.slow(Duration.ofMillis(300), CallsAnswer.ok()),
                CallsAnswer.slow(Duration.ofSeconds(3), CallsAnswer.ok()));

        long started = System.nanoTime();
        assertThat(post(callId, "hangup", null).code()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));

        OkHttpClient impatient = RealtimeTestClient.HTTP.newBuilder().readTimeout(Duration.ofMillis(200)).build();
        assertThatThrownBy(() -> post(impatient, callId, "hangup", null, SimulatorConfig.DEFAULT_API_KEY))
                .hasCauseInstanceOf(java.net.SocketTimeoutException.class);
    }

    @Test
    void aDisconnectAnswerIsAnIoErrorForTheClient() {
        String callId = OpenAiIds.callId();
        simulator.answer(callId, CallVerb.ACCEPT, CallsAnswer.disconnect());
        OkHttpClient noRetry = RealtimeTestClient.HTTP.newBuilder().retryOnConnectionFailure(false).build();

        assertThatThrownBy(() -> post(noRetry, callId, "accept", GOOD_ACCEPT, SimulatorConfig.DEFAULT_API_KEY))
                .isInstanceOf(java.io.UncheckedIOException.class);
        assertThat(simulator.call(callId).accepted()).isFalse();
    }

    @Test
    void answersForAnyCallApplyToCallsWithoutTheirOwnScript() {
        simulator.answerAnyCall(CallVerb.ACCEPT, CallsAnswer.serverError());
        simulator.answerAlways("rtc_special", CallVerb.ACCEPT, CallsAnswer.notFound());

        assertThat(post("rtc_special", "accept", GOOD_ACCEPT).code()).isEqualTo(500);
        assertThat(post("rtc_special", "accept", GOOD_ACCEPT).code()).isEqualTo(404);
        assertThat(post("rtc_other", "accept", GOOD_ACCEPT).code()).isEqualTo(200);
    }

    @Test
    void acceptWithoutTypeRealtimeIs400() {
        Answer missing = post(OpenAiIds.callId(), "accept", "{\"model\":\"gpt-realtime\"}");
        Answer wrong = post(OpenAiIds.callId(), "accept", "{\"type\":\"transcription\"}");

        assertThat(missing.code()).isEqualTo(400);
        assertThat(missing.json().at("/error/param").asText()).isEqualTo("type");
        assertThat(wrong.code()).isEqualTo(400);
        assertThat(wrong.json().at("/error/code").asText()).isEqualTo("invalid_value");
    }

    @Test
    void acceptWithAnAudioFormatIsAnUnknownParameter() {
        String callId = OpenAiIds.callId();
        Answer answer = post(callId, "accept",
                "{\"type\":\"realtime\",\"audio\":{\"output\":{\"format\":{\"type\":\"audio/pcmu\"},\"voice\":\"alloy\"}}}");
        Answer nullFormat = post(OpenAiIds.callId(), "accept",
                "{\"type\":\"realtime\",\"audio\":{\"input\":{\"format\":null}}}");

        assertThat(answer.code()).isEqualTo(400);
        assertThat(answer.json().at("/error/message").asText()).isEqualTo("Unknown parameter: 'audio.output.format'.");
        assertThat(nullFormat.json().at("/error/param").asText()).isEqualTo("audio.input.format");
        assertThat(simulator.call(callId).accepted()).isFalse();
    }

    @Test
    void acceptWithVadTuningIsAnUnknownParameter() {
        for (String field : new String[] {"threshold", "prefix_padding_ms", "silence_duration_ms"}) {
            Answer answer = post(OpenAiIds.callId(), "accept", "{\"type\":\"realtime\",\"audio\":{\"input\":"
                    + "{\"turn_detection\":{\"type\":\"server_vad\",\"" + field + "\":1}}}}");

            assertThat(answer.code()).isEqualTo(400);
            assertThat(answer.json().at("/error/message").asText()).startsWith("Unknown parameter")
                    .contains("turn_detection." + field);
        }
    }

    @Test
    void acceptWithUnparseableJsonIs400() {
        assertThat(post(OpenAiIds.callId(), "accept", "{not json").code()).isEqualTo(400);
    }

    @Test
    void referWithoutATargetIs400() {
        Answer answer = post(OpenAiIds.callId(), "refer", "{}");

        assertThat(answer.code()).isEqualTo(400);
        assertThat(answer.json().at("/error/param").asText()).isEqualTo("target_uri");
    }

    @Test
    void hangupEndsTheCallAndLaterCallsApiRequestsGet404() {
        String callId = OpenAiIds.callId();
        post(callId, "accept", GOOD_ACCEPT);

        assertThat(post(callId, "hangup", null).code()).isEqualTo(200);

        assertThat(simulator.call(callId).ended()).isTrue();
        assertThat(post(callId, "hangup", null).code()).isEqualTo(404);
        assertThat(post(callId, "accept", GOOD_ACCEPT).code()).isEqualTo(404);
    }

    @Test
    void rejectEndsTheCall() {
        String callId = OpenAiIds.callId();

        assertThat(post(callId, "reject", "{\"status_code\":486}").code()).isEqualTo(200);

        assertThat(simulator.call(callId).ended()).isTrue();
        assertThat(simulator.call(callId).endReason()).isEqualTo("rejected");
    }

    @Test
    void unknownVerbsAndPathsAre404InvalidUrl() {
        Answer answer = post(OpenAiIds.callId(), "transfer", "{}");

        assertThat(answer.code()).isEqualTo(404);
        assertThat(answer.json().at("/error/message").asText()).startsWith("Invalid URL (POST");
    }

    @Test
    void aStrictSimulatorAnswers404ForCallsItWasNotTold() {
        try (ConnectorSimulator strict = ConnectorSimulator.start(
                SimulatorConfig.builder().allowUnknownCalls(false).build())) {
            String known = strict.newCall();
            Request unknown = new Request.Builder()
                    .url(strict.baseUrl() + "/v1/realtime/calls/rtc_nobody/accept")
                    .header("Authorization", "Bearer " + SimulatorConfig.DEFAULT_API_KEY)
                    .post(RequestBody.create(GOOD_ACCEPT, JSON)).build();
            Request knownAccept = unknown.newBuilder()
                    .url(strict.baseUrl() + "/v1/realtime/calls/" + known + "/accept").build();

            try (Response a = RealtimeTestClient.HTTP.newCall(unknown).execute();
                 Response b = RealtimeTestClient.HTTP.newCall(knownAccept).execute()) {
                assertThat(a.code()).isEqualTo(404);
                assertThat(b.code()).isEqualTo(200);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void awaitRequestWaitsForARequestAndTimesOutWithAClearMessage() {
        String callId = OpenAiIds.callId();
        Thread.ofVirtual().start(() -> post(callId, "hangup", null));

        ConnectorRequest hangup = simulator.awaitRequest(callId, ConnectorRequest.Endpoint.HANGUP, Duration.ofSeconds(5));

        assertThat(hangup.status()).isEqualTo(200);
        assertThatThrownBy(() -> simulator.awaitRequest(callId, ConnectorRequest.Endpoint.REFER, Duration.ofMillis(50)))
                .isInstanceOf(SimulatorTimeoutException.class)
                .hasMessageContaining("no matching request");
    }
}

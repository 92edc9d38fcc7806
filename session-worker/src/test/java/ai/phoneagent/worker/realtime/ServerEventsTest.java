package ai.phoneagent.worker.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerEventsTest {

    @Test
    void caller_transcription_completed_is_a_final_caller_turn() {
        var event = ServerEvents.parse("""
                {"type":"conversation.item.input_audio_transcription.completed","event_id":"e1",
                 "item_id":"item_1","content_index":0,"transcript":"Hello there"}""");
        assertThat(event).isEqualTo(new ServerEvent.CallerTranscriptCompleted("item_1", "Hello there"));
    }

    @Test
    void ga_and_beta_agent_transcript_names_are_the_same_event() {
        var ga = ServerEvents.parse("""
                {"type":"response.output_audio_transcript.done","response_id":"r1","item_id":"i1","transcript":"Hi"}""");
        var beta = ServerEvents.parse("""
                {"type":"response.audio_transcript.done","response_id":"r1","item_id":"i1","transcript":"Hi"}""");
        var text = ServerEvents.parse("""
                {"type":"response.text.done","response_id":"r1","item_id":"i1","text":"Hi"}""");
        var gaText = ServerEvents.parse("""
                {"type":"response.output_text.done","response_id":"r1","item_id":"i1","text":"Hi"}""");
        ServerEvent expected = new ServerEvent.AgentTranscriptDone("r1", "i1", "Hi");
        assertThat(ga).isEqualTo(expected);
        assertThat(beta).isEqualTo(expected);
        assertThat(text).isEqualTo(expected);
        assertThat(gaText).isEqualTo(expected);
    }

    @Test
    void deltas_are_parsed_as_partials_for_both_speakers() {
        assertThat(ServerEvents.parse("""
                {"type":"response.audio_transcript.delta","response_id":"r","item_id":"i","delta":"He"}"""))
                .isInstanceOf(ServerEvent.AgentTranscriptDelta.class);
        assertThat(ServerEvents.parse("""
                {"type":"conversation.item.input_audio_transcription.delta","item_id":"i","delta":"He"}"""))
                .isInstanceOf(ServerEvent.CallerTranscriptDelta.class);
    }

    @Test
    void a_function_call_is_read_from_all_three_announcing_events() {
        var argsDone = ServerEvents.parse("""
                {"type":"response.function_call_arguments.done","call_id":"call_1","name":"end_call","arguments":"{\\"reason\\":\\"bye\\"}"}""");
        var itemDone = ServerEvents.parse("""
                {"type":"response.output_item.done","response_id":"r1","item":{"type":"function_call","call_id":"call_1",
                 "name":"end_call","arguments":"{\\"reason\\":\\"bye\\"}"}}""");
        var responseDone = ServerEvents.parse("""
                {"type":"response.done","response":{"id":"r1","status":"completed","output":[
                  {"type":"message","id":"m1"},
                  {"type":"function_call","call_id":"call_1","name":"end_call","arguments":"{\\"reason\\":\\"bye\\"}"}]}}""");
        var call = new FunctionCall("call_1", "end_call", "{\"reason\":\"bye\"}");
        assertThat(argsDone).isEqualTo(new ServerEvent.FunctionCallArgumentsDone(call));
        assertThat(itemDone).isEqualTo(new ServerEvent.OutputItemDone("r1", call));
        assertThat(responseDone).isEqualTo(new ServerEvent.ResponseDone("r1", "completed", java.util.List.of(call)));
    }

    @Test
    void an_output_item_that_is_a_message_carries_no_function_call() {
        var event = ServerEvents.parse("""
                {"type":"response.output_item.done","response_id":"r1","item":{"type":"message","id":"m1"}}""");
        assertThat(event).isEqualTo(new ServerEvent.OutputItemDone("r1", null));
    }

    @Test
    void dtmf_error_and_transcription_failure_are_recognised() {
        assertThat(ServerEvents.parse("""
                {"type":"input_audio_buffer.dtmf_event_received","event":"5","received_at":1750000000}"""))
                .isEqualTo(new ServerEvent.Dtmf("5", 1750000000L));
        assertThat(ServerEvents.parse("""
                {"type":"error","event_id":"e9","error":{"type":"invalid_request_error","code":"bad","message":"nope","event_id":"c1"}}"""))
                .isEqualTo(new ServerEvent.Error("invalid_request_error", "bad", "nope", "c1"));
        assertThat(ServerEvents.parse("""
                {"type":"conversation.item.input_audio_transcription.failed","item_id":"i","error":{"code":"x"}}"""))
                .isInstanceOf(ServerEvent.CallerTranscriptFailed.class);
    }

    @Test
    void unknown_event_types_are_normal_and_ignored() {
        assertThat(ServerEvents.parse("{\"type\":\"rate_limits.updated\",\"rate_limits\":[]}"))
                .isEqualTo(new ServerEvent.Unknown("rate_limits.updated"));
        assertThat(ServerEvents.parse("{\"type\":\"something.new.in.2027\"}"))
                .isEqualTo(new ServerEvent.Unknown("something.new.in.2027"));
    }

    @Test
    void text_that_is_not_an_event_is_malformed_not_an_exception() {
        assertThat(ServerEvents.parse("not json")).isInstanceOf(ServerEvent.Malformed.class);
        assertThat(ServerEvents.parse("[1,2]")).isInstanceOf(ServerEvent.Malformed.class);
        assertThat(ServerEvents.parse("{\"no\":\"type\"}")).isInstanceOf(ServerEvent.Malformed.class);
    }

    @Test
    void the_fields_an_event_is_read_from_are_found_wherever_they_are_and_the_rest_is_skipped() {
        String session = "{\"instructions\":\"" + "Be brief. ".repeat(2_000) + "\",\"tools\":[{\"name\":\"end_call\"}]}";
        assertThat(ServerEvents.parse("{\"type\":\"session.created\",\"session\":" + session + "}"))
                .isEqualTo(new ServerEvent.SessionUpdated("session.created"));
        assertThat(ServerEvents.parse("{\"session\":" + session + ",\"usage\":{\"total_tokens\":9},"
                + "\"response\":{\"id\":\"resp_1\",\"usage\":[1,2,{\"x\":null}]},\"type\":\"response.created\"}"))
                .isEqualTo(new ServerEvent.ResponseCreated("resp_1"));
    }

    @Test
    void a_frame_that_breaks_off_or_is_not_an_object_is_malformed_even_where_nothing_is_read() {
        assertThat(ServerEvents.parse("{\"type\":\"session.created\",\"session\":{\"instructions\":\"cut"))
                .isEqualTo(new ServerEvent.Malformed("not JSON"));
        assertThat(ServerEvents.parse("{\"type\":\"session.created\",\"session\":{\"a\":1}"))
                .isEqualTo(new ServerEvent.Malformed("not JSON"));
        assertThat(ServerEvents.parse("{\"type\":\"session.created\",\"session\":{\"a\":tru}}"))
                .isEqualTo(new ServerEvent.Malformed("not JSON"));
        assertThat(ServerEvents.parse("[{\"type\":\"response.created\"}]")).isEqualTo(new ServerEvent.Malformed("not a JSON object"));
        assertThat(ServerEvents.parse("[1,")).isEqualTo(new ServerEvent.Malformed("not JSON"));
        assertThat(ServerEvents.parse("\"text\"")).isEqualTo(new ServerEvent.Malformed("not a JSON object"));
        assertThat(ServerEvents.parse("{\"type\":7}")).isEqualTo(new ServerEvent.Malformed("no type"));
    }

    @Test
    void object_arguments_are_tolerated_as_json_text() {
        var event = ServerEvents.parse("""
                {"type":"response.function_call_arguments.done","call_id":"c","name":"lookup","arguments":{"id":7}}""");
        assertThat(((ServerEvent.FunctionCallArgumentsDone) event).call().arguments()).isEqualTo("{\"id\":7}");
    }
}

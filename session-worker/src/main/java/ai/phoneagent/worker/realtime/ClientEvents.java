package ai.phoneagent.worker.realtime;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/** The client events the worker sends on a call's WebSocket, serialised as JSON text. */
public final class ClientEvents {
    private ClientEvents() {
    }

    /**
     * {@code response.create} telling the model to say the greeting verbatim. The greeting sits inside single
     * quotes, so its own straight quotes become typographic ones and line breaks become spaces: the model then
     * cannot mistake part of the greeting for the end of the quotation.
     */
    public static Optional<String> greeting(Optional<String> welcomeMessage) {
        return welcomeMessage.map(String::strip).filter(s -> !s.isEmpty()).map(message -> {
            String quoted = message.replace('\'', '\u2019').replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
            ObjectNode event = Json.object().put("type", "response.create");
            event.set("response", Json.object().put("instructions", "Say exactly '" + quoted + "' now."));
            return Json.write(event);
        });
    }

    /** {@code conversation.item.create} carrying a tool's output for {@code call_id}. */
    public static String functionCallOutput(String callId, String output) {
        ObjectNode item = Json.object().put("type", "function_call_output").put("call_id", callId).put("output", output);
        ObjectNode event = Json.object().put("type", "conversation.item.create");
        event.set("item", item);
        return Json.write(event);
    }

    /** A bare {@code response.create}: the model answers with the conversation so far. */
    public static String responseCreate() {
        return Json.write(Json.object().put("type", "response.create"));
    }

    /** A system message added to the conversation ({@code conversation.item.create}, role system). */
    public static String systemMessage(String text) {
        ObjectNode item = Json.object().put("type", "message").put("role", "system");
        item.putArray("content").addObject().put("type", "input_text").put("text", text);
        ObjectNode event = Json.object().put("type", "conversation.item.create");
        event.set("item", item);
        return Json.write(event);
    }
}

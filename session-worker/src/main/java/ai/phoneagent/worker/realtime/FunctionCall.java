package ai.phoneagent.worker.realtime;

/** A function call the model made: its {@code call_id}, tool name and raw JSON arguments. */
public record FunctionCall(String callId, String name, String arguments) {
}

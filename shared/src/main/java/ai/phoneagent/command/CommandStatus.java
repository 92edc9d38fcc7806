package ai.phoneagent.command;

/** A command is pending until its worker marks it done or failed, once. */
public enum CommandStatus {
    PENDING, DONE, FAILED
}

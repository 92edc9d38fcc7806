package ai.phoneagent.config;

/** Invalid or missing configuration; the message is one line naming the variable and never its value. */
public final class ConfigException extends RuntimeException {
    private final String variable;

    public ConfigException(String variable, String problem) {
        super("Invalid configuration: " + variable + " " + problem);
        this.variable = variable;
    }

    public String variable() {
        return variable;
    }
}

package ai.phoneagent.simulator;

import java.util.Locale;

/** The Calls API actions: {@code POST /v1/realtime/calls/{call_id}/{verb}}. */
public enum CallVerb {
    ACCEPT, REJECT, HANGUP, REFER;

    /** The verb as it appears in the URL path. */
    public String path() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The verb for a path segment, or null when the segment is not a Calls API verb. */
    public static CallVerb fromPath(String segment) {
        for (CallVerb verb : values()) {
            if (verb.path().equals(segment)) {
                return verb;
            }
        }
        return null;
    }
}

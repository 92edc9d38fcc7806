package ai.phoneagent.simulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import mockwebserver3.RecordedRequest;

/** Checks {@code Authorization: Bearer <key>} in constant time; holds the key without ever printing it. */
final class Authorization {
    private final byte[] expected;

    Authorization(String apiKey) {
        this.expected = ("Bearer " + apiKey).getBytes(StandardCharsets.UTF_8);
    }

    boolean allows(RecordedRequest request) {
        String header = request.getHeaders().get("Authorization");
        return header != null && MessageDigest.isEqual(expected, header.strip().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Authorization[redacted]";
    }
}

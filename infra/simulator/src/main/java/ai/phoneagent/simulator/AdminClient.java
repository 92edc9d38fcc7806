package ai.phoneagent.simulator;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A client of a running simulator's admin API ({@code /_simulator/…}, same Bearer key as the Calls API). */
final class AdminClient implements AutoCloseable {
    /** One answer: the HTTP status and the body. */
    record Answer(int status, String body) {
        boolean ok() {
            return status == 200;
        }
    }

    private final URI base;
    private final String apiKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    AdminClient(URI base, String apiKey) {
        this.base = base;
        this.apiKey = apiKey;
    }

    Answer send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }

    @Override
    public void close() {
        http.close();
    }
}

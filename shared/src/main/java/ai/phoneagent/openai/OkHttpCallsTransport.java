package ai.phoneagent.openai;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** {@link CallsTransport} over OkHttp: the call's timeout is the attempt's budget. */
final class OkHttpCallsTransport implements CallsTransport {
    private static final MediaType JSON = MediaType.get("application/json");
    private final OkHttpClient http;

    OkHttpCallsTransport(OkHttpClient http) {
        this.http = http;
    }

    @Override
    public Reply post(URI uri, String authorization, String body, Duration timeout) throws IOException {
        Request request = new Request.Builder()
                .url(uri.toString())
                .header("Authorization", authorization)
                .post(RequestBody.create(body, JSON))
                .build();
        Call call = http.newCall(request);
        call.timeout().timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        try (Response response = call.execute()) {
            int code = response.code();
            return new Reply(code, Reply.success(code) ? "" : response.body().string());
        }
    }
}

package ai.phoneagent.simulator.twilio;

import ai.phoneagent.json.Json;
import ai.phoneagent.simulator.Deadline;
import ai.phoneagent.simulator.SimulatorTimeoutException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.twilio.http.NetworkHttpClient;
import com.twilio.http.TwilioRestClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;

/**
 * A fake Twilio REST API on loopback: conference participants (create, update, delete), outbound call creation
 * (ringing, answer, busy, no answer or a machine, with signed status callbacks; an answered call is bridged to the
 * connector simulator and announced to the project's webhook, see {@link #connectOutbound}) and call updates, with
 * realistic JSON, basic-auth checks, scriptable errors and a request log. {@link #restClient} gives a real
 * twilio-java client whose every request lands here. The auth token is never logged or kept in requests.
 */
public final class FakeTwilio implements AutoCloseable {
    private static final String BASE = "/2010-04-01/Accounts/([^/]+)";
    private static final Pattern PARTICIPANTS = Pattern.compile(BASE + "/Conferences/([^/]+)/Participants\\.json");
    private static final Pattern PARTICIPANT = Pattern.compile(BASE + "/Conferences/([^/]+)/Participants/([^/]+)\\.json");
    private static final Pattern CALL = Pattern.compile(BASE + "/Calls/([^/]+)\\.json");
    private static final Pattern CALLS = Pattern.compile(BASE + "/Calls\\.json");
    private static final DateTimeFormatter RFC_2822 =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.US).withZone(ZoneOffset.UTC);

    private final String accountSid;
    private final byte[] expectedAuth;
    private final Clock clock;
    private final MockWebServer server = new MockWebServer();
    private final List<TwilioRequest> requests = new ArrayList<>();
    private final Deque<TwilioAnswer> plan = new ArrayDeque<>();
    private final Map<String, String> conferenceSids = new ConcurrentHashMap<>();
    private final Object monitor = new Object();
    private final OutboundCalls outbound;

    private FakeTwilio(String accountSid, String authToken, Clock clock) {
        this.accountSid = accountSid;
        this.outbound = new OutboundCalls(accountSid, authToken);
        this.expectedAuth = (accountSid + ":" + authToken).getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return answer(request);
            }
        });
        try {
            server.start(InetAddress.getByName("127.0.0.1"), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the fake Twilio", e);
        }
    }

    /** Starts with these credentials; requests with others get Twilio's 401 (code 20003). */
    public static FakeTwilio start(String accountSid, String authToken) {
        return new FakeTwilio(accountSid, authToken, Clock.systemUTC());
    }

    public static FakeTwilio start(String accountSid, String authToken, Clock clock) {
        return new FakeTwilio(accountSid, authToken, clock);
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getPort());
    }

    public String accountSid() {
        return accountSid;
    }

    /** A twilio-java client whose requests (for api.twilio.com or any host) all go to this fake over plain http. */
    public TwilioRestClient restClient(String accountSid, String authToken) {
        return restClient(accountSid, authToken, server.getPort());
    }

    /** A twilio-java client routed to a fake Twilio listening on {@code port} (e.g. in another process). */
    public static TwilioRestClient restClient(String accountSid, String authToken, int port) {
        return new TwilioRestClient.Builder(accountSid, authToken)
                .httpClient(new NetworkHttpClient(httpClientBuilder(port)))
                .build();
    }

    /**
     * An Apache HttpClient builder whose every request goes to this fake, for code that builds its own twilio-java
     * {@code HttpClient} (so the production client's own settings, such as its retry policy, are what is tested).
     */
    public HttpClientBuilder httpClientBuilder() {
        return httpClientBuilder(server.getPort());
    }

    /** The same for a fake listening on {@code port}. */
    public static HttpClientBuilder httpClientBuilder(int port) {
        return HttpClients.custom().setRoutePlanner(new LoopbackRoutePlanner(port));
    }

    /** Queues answers for the next requests, used once each in order. */
    public void answerNext(TwilioAnswer... answers) {
        synchronized (monitor) {
            plan.addAll(List.of(answers));
        }
    }

    /** Every request, in arrival order. */
    public List<TwilioRequest> requests() {
        synchronized (monitor) {
            return List.copyOf(requests);
        }
    }

    /** The participant-create requests, in arrival order. */
    public List<TwilioRequest> participantCreations() {
        return requests().stream().filter(r -> r.route().equals(TwilioRequest.CREATE_PARTICIPANT)).toList();
    }

    /** The first request matching, waiting up to {@code timeout}. */
    public TwilioRequest awaitRequest(Predicate<TwilioRequest> condition, Duration timeout) {
        Deadline deadline = Deadline.after(timeout);
        synchronized (monitor) {
            try {
                while (true) {
                    for (TwilioRequest request : requests) {
                        if (condition.test(request)) {
                            return request;
                        }
                    }
                    if (!deadline.waitOn(monitor)) {
                        throw new SimulatorTimeoutException("fake Twilio got no matching request within "
                                + timeout.toMillis() + " ms; got " + requests);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SimulatorTimeoutException("interrupted");
            }
        }
    }

    // --- outbound calls ------------------------------------------------------------------------------------

    /** Where answered outbound calls go: the connector simulator, and the project's webhook (signed deliveries). */
    public FakeTwilio connectOutbound(OutboundLine line) {
        outbound.connect(line);
        return this;
    }

    /** How the callee at {@code to} behaves when called (others: answer after 200 ms with the default scenario). */
    public FakeTwilio scriptCallee(String to, Callee callee) {
        outbound.script(to, callee);
        return this;
    }

    /** How every callee without a script of its own behaves. */
    public FakeTwilio scriptDefaultCallee(Callee callee) {
        outbound.scriptDefault(callee);
        return this;
    }

    /** Every outbound call created so far, as it stands. */
    public List<OutboundCall> outboundCalls() {
        return outbound.all();
    }

    /** The first outbound call matching, waiting up to {@code timeout}. */
    public OutboundCall awaitOutboundCall(Predicate<OutboundCall> condition, Duration timeout) {
        return outbound.await(condition, timeout);
    }

    /** The call-creation requests, in arrival order. */
    public List<TwilioRequest> callCreations() {
        return requests().stream().filter(r -> r.route().equals(TwilioRequest.CREATE_CALL)).toList();
    }

    @Override
    public void close() {
        outbound.close();
        server.close();
    }

    @Override
    public String toString() {
        return "FakeTwilio[" + baseUrl() + ", account=" + accountSid + "]";
    }

    private MockResponse answer(RecordedRequest request) {
        String path = request.getUrl().encodedPath();
        String user = basicUser(request);
        Map<String, List<String>> form = form(request);
        Map<String, String> params = new LinkedHashMap<>();
        String route = route(request.getMethod(), path, params);
        MockResponse response;
        if (!authorized(request)) {
            response = error(401, 20003, "Authenticate");
        } else if (route.equals(TwilioRequest.OTHER) || !accountSid.equals(params.get("AccountSid"))) {
            response = error(404, 20404, "The requested resource " + path + " was not found");
        } else {
            TwilioAnswer planned;
            synchronized (monitor) {
                planned = plan.poll();
            }
            response = switch (planned) {
                case TwilioAnswer.Error(int status, int code, String message) -> error(status, code, message);
                case TwilioAnswer.Slow(Duration delay) -> handle(route, params, form).newBuilder()
                        .headersDelay(delay.toMillis(), TimeUnit.MILLISECONDS).build();
                case null -> handle(route, params, form);
            };
        }
        synchronized (monitor) {
            requests.add(new TwilioRequest(request.getMethod(), path, route, user, params, form, clock.instant(),
                    response.getCode()));
            monitor.notifyAll();
        }
        return response;
    }

    private static String route(String method, String path, Map<String, String> params) {
        Matcher m;
        if ((m = PARTICIPANTS.matcher(path)).matches() && method.equals("POST")) {
            params.put("AccountSid", decode(m.group(1)));
            params.put("ConferenceSid", decode(m.group(2)));
            return TwilioRequest.CREATE_PARTICIPANT;
        }
        if ((m = PARTICIPANT.matcher(path)).matches() && (method.equals("POST") || method.equals("DELETE"))) {
            params.put("AccountSid", decode(m.group(1)));
            params.put("ConferenceSid", decode(m.group(2)));
            params.put("CallSid", decode(m.group(3)));
            return method.equals("POST") ? TwilioRequest.UPDATE_PARTICIPANT : TwilioRequest.DELETE_PARTICIPANT;
        }
        if ((m = CALLS.matcher(path)).matches() && method.equals("POST")) {
            params.put("AccountSid", decode(m.group(1)));
            return TwilioRequest.CREATE_CALL;
        }
        if ((m = CALL.matcher(path)).matches() && method.equals("POST")) {
            params.put("AccountSid", decode(m.group(1)));
            params.put("Sid", decode(m.group(2)));
            return TwilioRequest.UPDATE_CALL;
        }
        return TwilioRequest.OTHER;
    }

    private MockResponse handle(String route, Map<String, String> params, Map<String, List<String>> form) {
        return switch (route) {
            case TwilioRequest.CREATE_PARTICIPANT -> {
                if (first(form, "From") == null) {
                    yield error(400, 21603, "A 'From' phone number is required.");
                }
                if (first(form, "To") == null) {
                    yield error(400, 21604, "A 'To' phone number is required.");
                }
                yield json(201, participant(params.get("ConferenceSid"), "CA" + hex32(), first(form, "Label"),
                        "queued"));
            }
            case TwilioRequest.UPDATE_PARTICIPANT -> {
                ObjectNode participant = participant(params.get("ConferenceSid"), params.get("CallSid"), null,
                        "connected");
                if (first(form, "Hold") != null) {
                    participant.put("hold", Boolean.parseBoolean(first(form, "Hold")));
                }
                if (first(form, "Muted") != null) {
                    participant.put("muted", Boolean.parseBoolean(first(form, "Muted")));
                }
                yield json(200, participant);
            }
            case TwilioRequest.DELETE_PARTICIPANT -> new MockResponse.Builder().code(204).build();
            case TwilioRequest.UPDATE_CALL -> {
                outbound.updated(params.get("Sid"), form);
                yield json(200, call(params.get("Sid"), first(form, "Status")));
            }
            case TwilioRequest.CREATE_CALL -> {
                if (first(form, "To") == null) {
                    yield error(400, 21201, "No 'To' number is specified");
                }
                if (first(form, "From") == null) {
                    yield error(400, 21213, "No 'From' number is specified");
                }
                if (first(form, "Twiml") == null && first(form, "Url") == null && first(form, "ApplicationSid") == null) {
                    yield error(400, 21205, "Url, Twiml or ApplicationSid is required");
                }
                String sid = "CA" + hex32();
                outbound.created(sid, first(form, "To"), first(form, "From"), form);
                ObjectNode created = call(sid, "queued");
                created.put("direction", "outbound-api");
                created.put("from", first(form, "From"));
                created.put("to", first(form, "To"));
                yield json(201, created);
            }
            default -> error(404, 20404, "Not found");
        };
    }

    private ObjectNode participant(String conference, String callSid, String label, String status) {
        String conferenceSid = conference.startsWith("CF") && conference.length() == 34 ? conference
                : conferenceSids.computeIfAbsent(conference, name -> "CF" + hex32());
        String now = RFC_2822.format(clock.instant());
        ObjectNode p = Json.object();
        p.put("account_sid", accountSid);
        p.put("call_sid", callSid);
        p.put("label", label);
        p.putNull("call_sid_to_coach");
        p.put("coaching", false);
        p.put("conference_sid", conferenceSid);
        p.put("date_created", now);
        p.put("date_updated", now);
        p.put("end_conference_on_exit", false);
        p.put("muted", false);
        p.put("hold", false);
        p.put("start_conference_on_enter", true);
        p.put("status", status);
        p.put("queue_time", "0");
        p.put("uri", "/2010-04-01/Accounts/" + accountSid + "/Conferences/" + conferenceSid + "/Participants/"
                + callSid + ".json");
        return p;
    }

    private ObjectNode call(String sid, String status) {
        String now = RFC_2822.format(clock.instant());
        ObjectNode c = Json.object();
        c.put("sid", sid);
        c.put("account_sid", accountSid);
        c.put("status", status == null ? "in-progress" : status);
        c.put("direction", "inbound");
        c.put("from", "+14155550100");
        c.put("to", "+18005550199");
        c.put("date_created", now);
        c.put("date_updated", now);
        c.put("api_version", "2010-04-01");
        c.put("uri", "/2010-04-01/Accounts/" + accountSid + "/Calls/" + sid + ".json");
        return c;
    }

    private boolean authorized(RecordedRequest request) {
        String header = request.getHeaders().get("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        try {
            return MessageDigest.isEqual(expectedAuth, Base64.getDecoder().decode(header.substring(6).strip()));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The account SID half of the basic-auth header (the token half is dropped at once). */
    private static String basicUser(RecordedRequest request) {
        String header = request.getHeaders().get("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? decoded : decoded.substring(0, colon);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Map<String, List<String>> form(RecordedRequest request) {
        Map<String, List<String>> form = new LinkedHashMap<>();
        String body = request.getBody() == null ? "" : request.getBody().utf8();
        if (body.isEmpty()) {
            return form;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            form.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
        form.replaceAll((name, values) -> List.copyOf(values));
        return form;
    }

    private static String first(Map<String, List<String>> form, String name) {
        List<String> values = form.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    private static String hex32() {
        byte[] bytes = new byte[16];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static MockResponse error(int status, int code, String message) {
        ObjectNode body = Json.object();
        body.put("code", code);
        body.put("message", message);
        body.put("more_info", "https://www.twilio.com/docs/errors/" + code);
        body.put("status", status);
        return json(status, body);
    }

    private static MockResponse json(int status, ObjectNode body) {
        return new MockResponse.Builder().code(status)
                .setHeader("Content-Type", "application/json")
                .body(Json.write(body))
                .build();
    }
}

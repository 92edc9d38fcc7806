package ai.phoneagent.simulator.twilio;

import ai.phoneagent.call.SipHeader;
import ai.phoneagent.simulator.CallSnapshot;
import ai.phoneagent.simulator.Deadline;
import ai.phoneagent.simulator.SimulatorTimeoutException;
import ai.phoneagent.simulator.webhook.IncomingCallSpec;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.FormBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The fake Twilio's outbound calls: each created call rings for its callee's scripted time, then is answered (and
 * bridged to the connector simulator, with the {@code realtime.call.incoming} webhook delivered to the project), busy,
 * unanswered, a machine, or failed. Progress goes to the call's {@code StatusCallback} as signed form posts
 * ({@code X-Twilio-Signature}, as Twilio signs them), the answering-machine result to {@code AsyncAmdStatusCallback}.
 */
final class OutboundCalls implements AutoCloseable {
    private static final Pattern SIP = Pattern.compile("<Sip[^>]*>([^<]+)</Sip>");
    private static final Duration ANSWERED_CALL_LIMIT = Duration.ofMinutes(10);
    private static final Duration MACHINE_UPDATE_WAIT = Duration.ofSeconds(30);

    private final String accountSid;
    private final String authToken;
    private final Object monitor = new Object();
    private final Map<String, State> calls = new LinkedHashMap<>();
    private final Map<String, Callee> callees = new ConcurrentHashMap<>();
    private final OkHttpClient http = new OkHttpClient.Builder().retryOnConnectionFailure(false)
            .callTimeout(Duration.ofSeconds(10)).build();
    private volatile OutboundLine line;
    private volatile Callee defaultCallee = Callee.answers(Duration.ofMillis(200), null);
    private volatile boolean closed;

    OutboundCalls(String accountSid, String authToken) {
        this.accountSid = accountSid;
        this.authToken = authToken;
    }

    void connect(OutboundLine line) {
        this.line = line;
    }

    void script(String to, Callee callee) {
        callees.put(to, callee);
    }

    void scriptDefault(Callee callee) {
        defaultCallee = callee;
    }

    /** Takes a created call and starts ringing it (on a virtual thread). */
    void created(String sid, String to, String from, Map<String, List<String>> form) {
        State state = new State(sid, to, from, first(form, "Twiml"), first(form, "StatusCallback"),
                first(form, "MachineDetection"), first(form, "AsyncAmdStatusCallback"),
                form.getOrDefault("StatusCallbackEvent", List.of()));
        state.sipHeaders = sipHeaders(state.twiml);
        synchronized (monitor) {
            calls.put(sid, state);
            monitor.notifyAll();
        }
        Callee callee = callees.getOrDefault(to, defaultCallee);
        Thread.ofVirtual().name("fake-twilio-" + sid).start(() -> run(state, callee));
    }

    /** True when {@code sid} is one of these calls; records the update (TwiML or status) it carried. */
    boolean updated(String sid, Map<String, List<String>> form) {
        synchronized (monitor) {
            State state = calls.get(sid);
            if (state == null) {
                return false;
            }
            String twiml = first(form, "Twiml");
            String status = first(form, "Status");
            state.updates.add(twiml != null ? twiml : "Status=" + status);
            monitor.notifyAll();
            return true;
        }
    }

    List<OutboundCall> all() {
        synchronized (monitor) {
            return calls.values().stream().map(State::snapshot).toList();
        }
    }

    OutboundCall await(Predicate<OutboundCall> condition, Duration timeout) {
        Deadline deadline = Deadline.after(timeout);
        synchronized (monitor) {
            try {
                while (true) {
                    for (State state : calls.values()) {
                        OutboundCall snapshot = state.snapshot();
                        if (condition.test(snapshot)) {
                            return snapshot;
                        }
                    }
                    if (!deadline.waitOn(monitor)) {
                        throw new SimulatorTimeoutException("no outbound call reached the awaited state within "
                                + timeout.toMillis() + " ms; calls: " + all());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SimulatorTimeoutException("interrupted");
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    // ---------------------------------------------------------------- one call

    private void run(State call, Callee callee) {
        try {
            progress(call, "initiated", "queued", Map.of());
            progress(call, "ringing", "ringing", Map.of());
            if (!pause(callee.ring())) {
                return;
            }
            switch (callee.pickup()) {
                case BUSY -> finish(call, "busy", Map.of("SipResponseCode", "486"));
                case NO_ANSWER -> finish(call, "no-answer", Map.of("SipResponseCode", "487"));
                case FAIL -> finish(call, "failed", Map.of("SipResponseCode", "503"));
                case ANSWER -> {
                    progress(call, "answered", "in-progress", Map.of());
                    machineResult(call, "human");
                    bridge(call, callee);
                    awaitOpenAiEnd(call);
                    finish(call, "completed", Map.of());
                }
                case MACHINE -> {
                    progress(call, "answered", "in-progress", Map.of());
                    if (call.machineDetection == null) {
                        bridge(call, callee); // no detection: the machine gets the agent like a person would
                        awaitOpenAiEnd(call);
                    } else {
                        machineResult(call, "machine_end_beep");
                        awaitUpdate(call);
                    }
                    finish(call, "completed", Map.of());
                }
            }
        } catch (RuntimeException e) {
            finish(call, "failed", Map.of("ErrorCode", "31000"));
        }
    }

    private void bridge(State call, Callee callee) {
        OutboundLine target = line;
        if (target == null) {
            throw new IllegalStateException("no outbound line connected");
        }
        String openAiCallId = callee.scenario() == null ? target.connector().newCall()
                : target.connector().newCall(callee.scenario());
        synchronized (monitor) {
            call.openAiCallId = openAiCallId;
            monitor.notifyAll();
        }
        String sipUri = call.sipUri == null ? "sip:unknown@sip.api.openai.com" : call.sipUri;
        IncomingCallSpec.Builder spec = IncomingCallSpec.builder().callId(openAiCallId).from(call.from).to(sipUri)
                .conferenceName(null);
        call.sipHeaders.forEach(h -> spec.header(h.name(), h.value()));
        target.sender().sendIncomingCall(target.webhookUrl(), spec.build());
    }

    private void awaitOpenAiEnd(State call) {
        Deadline deadline = Deadline.after(ANSWERED_CALL_LIMIT);
        while (!closed && deadline.remainingMillis() > 0) {
            CallSnapshot snapshot = line.connector().call(call.openAiCallId);
            if (snapshot.ended() || hungUpByUpdate(call)) {
                return;
            }
            if (!pause(Duration.ofMillis(50))) {
                return;
            }
        }
    }

    private boolean hungUpByUpdate(State call) {
        synchronized (monitor) {
            return call.updates.stream().anyMatch(u -> u.equals("Status=completed") || u.contains("<Hangup"));
        }
    }

    private void awaitUpdate(State call) {
        Deadline deadline = Deadline.after(MACHINE_UPDATE_WAIT);
        synchronized (monitor) {
            try {
                while (call.updates.isEmpty() && !closed && deadline.waitOn(monitor)) {
                    // waiting for the project to leave a message or hang up
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void machineResult(State call, String answeredBy) {
        if (call.machineDetection == null || call.amdCallback == null) {
            return;
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("AccountSid", accountSid);
        params.put("CallSid", call.sid);
        params.put("AnsweredBy", answeredBy);
        params.put("MachineDetectionDuration", "1800");
        post(call, call.amdCallback, params, null, answeredBy);
    }

    private void progress(State call, String event, String status, Map<String, String> extra) {
        synchronized (monitor) {
            call.status = status;
            monitor.notifyAll();
        }
        if (call.statusCallback != null && call.events.contains(event)) {
            post(call, call.statusCallback, params(call, status, extra), status, null);
        }
    }

    private void finish(State call, String status, Map<String, String> extra) {
        if (call.statusCallback != null) {
            synchronized (monitor) {
                call.status = status;
            }
            post(call, call.statusCallback, params(call, status, extra), status, null);
        }
        synchronized (monitor) {
            call.status = status;
            call.finished = true;
            monitor.notifyAll();
        }
    }

    private Map<String, String> params(State call, String status, Map<String, String> extra) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("AccountSid", accountSid);
        params.put("ApiVersion", "2010-04-01");
        params.put("CallSid", call.sid);
        params.put("CallStatus", status);
        params.put("Direction", "outbound-api");
        params.put("From", call.from);
        params.put("To", call.to);
        params.put("SequenceNumber", Integer.toString(call.sequence++));
        params.putAll(extra);
        return params;
    }

    /** Posts a signed callback and records it with the project's answer. */
    private void post(State call, String url, Map<String, String> params, String callStatus, String answeredBy) {
        FormBody.Builder form = new FormBody.Builder();
        params.forEach(form::add);
        int code;
        try (Response response = http.newCall(new Request.Builder().url(url).post(form.build())
                .header("X-Twilio-Signature", sign(url, params))
                .header("User-Agent", "TwilioProxy/1.1").build()).execute()) {
            code = response.code();
        } catch (IOException e) {
            code = -1;
        }
        synchronized (monitor) {
            call.callbacks.add(new OutboundCall.Callback(url, callStatus, answeredBy, code));
            monitor.notifyAll();
        }
    }

    /** Twilio's signature: base64 HMAC-SHA1 of the URL followed by each parameter's name and value, sorted by name. */
    String sign(String url, Map<String, String> params) {
        StringBuilder data = new StringBuilder(url);
        params.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> data.append(e.getKey()).append(e.getValue()));
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 unavailable", e);
        }
    }

    private boolean pause(Duration duration) {
        try {
            Thread.sleep(duration); // the callee's scripted ringing time, not synchronisation
            return !closed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The {@code X-} query parameters of the TwiML's {@code <Sip>} URI, as Twilio turns them into SIP headers. */
    static List<SipHeader> sipHeaders(String twiml) {
        List<SipHeader> headers = new ArrayList<>();
        String uri = sipUri(twiml);
        if (uri == null || !uri.contains("?")) {
            return headers;
        }
        for (String pair : uri.substring(uri.indexOf('?') + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.regionMatches(true, 0, "X-", 0, 2)) {
                headers.add(new SipHeader(pair.substring(0, eq),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8)));
            }
        }
        return headers;
    }

    static String sipUri(String twiml) {
        if (twiml == null) {
            return null;
        }
        Matcher m = SIP.matcher(twiml);
        if (!m.find()) {
            return null;
        }
        return m.group(1).strip().replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&apos;", "'").replace("&amp;", "&");
    }

    private static String first(Map<String, List<String>> form, String name) {
        List<String> values = form.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /** One call's mutable state; guarded by the monitor. */
    private static final class State {
        final String sid;
        final String to;
        final String from;
        final String twiml;
        final String statusCallback;
        final String machineDetection;
        final String amdCallback;
        final List<String> events;
        final String sipUri;
        List<SipHeader> sipHeaders = List.of();
        String openAiCallId;
        String status = "queued";
        int sequence;
        boolean finished;
        final List<OutboundCall.Callback> callbacks = new ArrayList<>();
        final List<String> updates = new ArrayList<>();

        State(String sid, String to, String from, String twiml, String statusCallback, String machineDetection,
              String amdCallback, List<String> events) {
            this.sid = sid;
            this.to = to;
            this.from = from;
            this.twiml = twiml;
            this.statusCallback = statusCallback;
            this.machineDetection = machineDetection;
            this.amdCallback = amdCallback;
            this.events = List.copyOf(events);
            String uri = sipUri(twiml);
            this.sipUri = uri == null ? null : uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
        }

        OutboundCall snapshot() {
            return new OutboundCall(sid, to, from, twiml, statusCallback, machineDetection, sipHeaders, openAiCallId,
                    status, callbacks, updates, finished);
        }
    }
}

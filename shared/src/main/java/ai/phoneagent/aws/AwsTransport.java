package ai.phoneagent.aws;

/**
 * Which HTTP client carries a process's AWS requests, chosen per deployable from measured figures: against the same
 * local engines, interleaved, {@link #POOLED} took ~1.7 ms less per request (p50 1.1–1.8 vs 2.8–3.5 ms for
 * Get/Put/UpdateItem) and ~0.25 ms less of the calling thread's CPU, but made a Lambda handler's fresh start
 * ~140–300 ms of main-thread CPU slower (Apache's classes).
 */
public enum AwsTransport {
    /**
     * The JDK's {@code HttpURLConnection} ({@code UrlConnectionHttpClient}): no pool or threads to start and the fewest
     * classes to load, so the cheapest cold start; more per request than {@link #POOLED} on a warm process (it
     * writes headers and body in separate segments with Nagle on; the blocking 1 ms probe of a pooled connection
     * before each streamed POST is avoided by buffering bodies, {@link BufferedBodyConnection}). The Lambdas' transport: a few requests per invocation, start time first.
     */
    URL_CONNECTION,
    /**
     * Apache HttpClient 5 ({@code Apache5HttpClient}) on a bounded pool ({@link ApacheTransport}): one write per
     * request with {@code TCP_NODELAY}, a pooled connection checked only after it sat idle. The session worker's
     * transport: thousands of requests per minute from one long-lived process.
     */
    POOLED
}

package ai.phoneagent.config;

import ai.phoneagent.concurrent.Beside;
import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
import java.security.GeneralSecurityException;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import javax.crypto.Mac;

/**
 * A Lambda's initialisation, shortened: work the first request needs that depends on nothing else the handler
 * builds runs on a second thread while the handler is built (this machine and a Lambda above 1,769 MB have a second
 * core; on one core it costs nothing extra). The handler waits for it before it is first needed (the control
 * handler before its constructor returns, the webhook handler at its first measurement or before a snapshot), so
 * neither a request nor a SnapStart snapshot ever meets a half-done task.
 */
public final class ColdStart {
    private ColdStart() {
    }

    /**
     * Starts a Lambda's background initialisation: the JDK set-up every first request needs
     * ({@link #initialiseJdk()}), the JSON mapper's ({@link Json#prime()}: requests and answers are written and read as
     * trees), then {@code then} (the Lambdas prime their EMF writer there: its first line, to a discarded stream). The
     * JSON log is bound to the real standard output before it starts.
     */
    public static <T> Supplier<T> startLambdaInit(String name, Callable<T> then) {
        JsonLog.current();
        return inBackground(name, () -> {
            initialiseJdk();
            Json.prime();
            return then.call();
        });
    }

    /** Starts {@code task} now on a platform thread named {@code name}; the supplier waits for its result. */
    static <T> Supplier<T> inBackground(String name, Callable<T> task) {
        CompletableFuture<T> started = Beside.startOnPlatform(name, task);
        return () -> Beside.join(started, name);
    }

    /**
     * Initialises JDK classes that every first request pays for, whoever touches them first: {@code BigDecimal}
     * (its static set-up squares large powers of ten, 25–70 ms of CPU in JDK 25; the JSON parsers' number limits need
     * it) and the security providers walked on the way to HmacSHA256 (webhook signatures, SigV4 request signing).
     */
    static void initialiseJdk() {
        java.math.BigDecimal.ONE.signum();
        try {
            Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}

package ai.phoneagent.aws;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 for the one request shape {@link AwsJsonTransport} sends: a {@code POST} of a JSON body to
 * an endpoint's root, signed over {@code content-type}, {@code host}, {@code x-amz-content-sha256}, {@code x-amz-date},
 * {@code x-amz-target} and, with temporary credentials, {@code x-amz-security-token} (the SDK's signer sends and signs
 * the same, plus its own bookkeeping headers). The day's signing key is derived once per day and secret,
 * not per request. Immutable apart from that cache; safe for any number of threads.
 */
final class SigV4 {
    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final HexFormat HEX = HexFormat.of();

    /** Cloned per use: a clone skips the provider lookup {@code getInstance} makes every time (a profile's hot spot). */
    private static final MessageDigest SHA_256 = sha256Prototype();

    private final String region;
    private final String service;
    private volatile SigningKey key;
    private volatile Stamp stamp;

    /**
     * The key of one day, region, service and secret ({@code kSigning} of the SigV4 specification), with an HMAC
     * already keyed with it, cloned per signature.
     */
    private record SigningKey(String day, String secret, Mac keyed) {
    }

    /** The {@code X-Amz-Date} of one second, formatted once. */
    private record Stamp(long epochSecond, String amzDate) {
    }

    /** The headers a signed request carries, besides {@code content-type}, {@code host} and {@code x-amz-target}. */
    record Signed(String amzDate, String payloadHash, String authorization) {
    }

    SigV4(String region, String service) {
        this.region = region;
        this.service = service;
    }

    /**
     * Signs a JSON POST to {@code host} (as sent in the {@code Host} header, port included when not the scheme's
     * default) at {@code path}.
     */
    Signed sign(String accessKeyId, String secretKey, String sessionToken, String host, String path, String contentType,
                String target, byte[] body, Instant now) {
        Stamp current = stamp;
        if (current == null || current.epochSecond != now.getEpochSecond()) {
            current = new Stamp(now.getEpochSecond(), AMZ_DATE.format(now));
            stamp = current;
        }
        String amzDate = current.amzDate;
        String day = amzDate.substring(0, 8);
        String payloadHash = HEX.formatHex(sha256(body));
        StringBuilder canonical = new StringBuilder(320)
                .append("POST\n").append(path).append("\n\n")
                .append("content-type:").append(contentType).append('\n')
                .append("host:").append(host).append('\n')
                .append("x-amz-content-sha256:").append(payloadHash).append('\n')
                .append("x-amz-date:").append(amzDate).append('\n');
        if (sessionToken != null) {
            canonical.append("x-amz-security-token:").append(sessionToken).append('\n');
        }
        canonical.append("x-amz-target:").append(target).append("\n\n");
        String signedHeaders = sessionToken != null
                ? "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target"
                : "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target";
        canonical.append(signedHeaders).append('\n').append(payloadHash);

        String scope = day + '/' + region + '/' + service + "/aws4_request";
        String toSign = ALGORITHM + '\n' + amzDate + '\n' + scope + '\n'
                + HEX.formatHex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        Mac mac = copy(signingKey(day, secretKey));
        String signature = HEX.formatHex(mac.doFinal(toSign.getBytes(StandardCharsets.UTF_8)));
        return new Signed(amzDate, payloadHash, ALGORITHM + " Credential=" + accessKeyId + '/' + scope + ", SignedHeaders="
                + signedHeaders + ", Signature=" + signature);
    }

    private Mac signingKey(String day, String secret) {
        SigningKey cached = key;
        if (cached != null && cached.day.equals(day) && cached.secret.equals(secret)) {
            return cached.keyed;
        }
        byte[] date = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), day);
        byte[] regional = hmac(date, region);
        byte[] serviced = hmac(regional, service);
        byte[] signing = hmac(serviced, "aws4_request");
        Mac keyed = keyedMac(signing);
        key = new SigningKey(day, secret, keyed);
        return keyed;
    }

    /** A fresh copy of a keyed HMAC (the cached one is never used itself, so threads never share its state). */
    private static Mac copy(Mac keyed) {
        try {
            return (Mac) keyed.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's HmacSHA256 can be cloned", e);
        }
    }

    private static Mac keyedMac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        return keyedMac(key).doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256(byte[] data) {
        try {
            return ((MessageDigest) SHA_256.clone()).digest(data);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 can be cloned", e);
        }
    }

    private static MessageDigest sha256Prototype() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}

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

    private final String region;
    private final String service;
    private volatile SigningKey key;

    /** The key of one day, region, service and secret: {@code kSigning} of the SigV4 specification. */
    private record SigningKey(String day, String secret, byte[] bytes) {
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
        String amzDate = AMZ_DATE.format(now);
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
        String signature = HEX.formatHex(hmac(signingKey(day, secretKey), toSign));
        return new Signed(amzDate, payloadHash, ALGORITHM + " Credential=" + accessKeyId + '/' + scope + ", SignedHeaders="
                + signedHeaders + ", Signature=" + signature);
    }

    private byte[] signingKey(String day, String secret) {
        SigningKey cached = key;
        if (cached != null && cached.day.equals(day) && cached.secret.equals(secret)) {
            return cached.bytes;
        }
        byte[] date = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), day);
        byte[] regional = hmac(date, region);
        byte[] serviced = hmac(regional, service);
        byte[] signing = hmac(serviced, "aws4_request");
        key = new SigningKey(day, secret, signing);
        return signing;
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}

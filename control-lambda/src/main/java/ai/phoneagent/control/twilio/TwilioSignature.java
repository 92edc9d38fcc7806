package ai.phoneagent.control.twilio;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Twilio's request signature ({@code X-Twilio-Signature}): base64 of HMAC-SHA1, keyed with the account's auth token,
 * over the full URL Twilio requested followed by every POST parameter's name and value, sorted by name. Like
 * Twilio's own validators, the URL is also tried with the scheme's default port added or removed, because Twilio
 * may sign either form.
 */
public final class TwilioSignature {
    private TwilioSignature() {
    }

    /** The signature Twilio sends for this URL and these form parameters. */
    public static String compute(String authToken, String url, List<Map.Entry<String, String>> params) {
        StringBuilder data = new StringBuilder(url);
        List<Map.Entry<String, String>> sorted = new ArrayList<>(params);
        sorted.sort(Map.Entry.<String, String>comparingByKey().thenComparing(Map.Entry.comparingByValue(
                Comparator.nullsFirst(Comparator.naturalOrder()))));
        for (Map.Entry<String, String> param : sorted) {
            data.append(param.getKey()).append(param.getValue() == null ? "" : param.getValue());
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 unavailable", e);
        }
    }

    /** True when {@code signature} is Twilio's signature of this request, compared in constant time. */
    public static boolean isValid(String authToken, String url, List<Map.Entry<String, String>> params,
                                  String signature) {
        if (signature == null || signature.isBlank()) {
            return false;
        }
        byte[] presented = signature.strip().getBytes(StandardCharsets.UTF_8);
        boolean valid = false;
        for (String candidate : urlVariants(url)) {
            byte[] expected = compute(authToken, candidate, params).getBytes(StandardCharsets.UTF_8);
            valid |= MessageDigest.isEqual(expected, presented);
        }
        return valid;
    }

    /** The URL as given, with the default port added, and with it removed. */
    static Set<String> urlVariants(String url) {
        Set<String> variants = new LinkedHashSet<>();
        variants.add(url);
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            int defaultPort = scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
            if (defaultPort > 0 && uri.getHost() != null) {
                if (uri.getPort() == -1) {
                    variants.add(withPort(uri, defaultPort));
                } else if (uri.getPort() == defaultPort) {
                    variants.add(withPort(uri, -1));
                }
            }
        } catch (URISyntaxException e) {
            // use the URL as given
        }
        return variants;
    }

    private static String withPort(URI uri, int port) {
        StringBuilder out = new StringBuilder(uri.getScheme()).append("://");
        if (uri.getRawUserInfo() != null) {
            out.append(uri.getRawUserInfo()).append('@');
        }
        out.append(uri.getHost());
        if (port != -1) {
            out.append(':').append(port);
        }
        if (uri.getRawPath() != null) {
            out.append(uri.getRawPath());
        }
        if (uri.getRawQuery() != null) {
            out.append('?').append(uri.getRawQuery());
        }
        return out.toString();
    }
}

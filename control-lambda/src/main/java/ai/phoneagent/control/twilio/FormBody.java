package ai.phoneagent.control.twilio;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An {@code application/x-www-form-urlencoded} body, kept as an ordered list so repeated names survive. */
public record FormBody(List<Map.Entry<String, String>> params) {
    public FormBody {
        params = List.copyOf(params);
    }

    /** Parses the body; a malformed escape makes it invalid ({@link IllegalArgumentException}). */
    public static FormBody parse(String body) {
        List<Map.Entry<String, String>> params = new ArrayList<>();
        if (body != null && !body.isEmpty()) {
            for (String pair : body.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.add(Map.entry(name, value));
            }
        }
        return new FormBody(params);
    }

    /** The first value of a parameter. */
    public Optional<String> first(String name) {
        return params.stream().filter(p -> p.getKey().equals(name)).map(Map.Entry::getValue).findFirst();
    }
}

package ai.phoneagent.control.commands;

import ai.phoneagent.json.Json;
import ai.phoneagent.tools.TransferConfig;
import ai.phoneagent.tools.TransferMode;
import ai.phoneagent.tools.TransferTarget;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * {@code GET /control/transfer-targets}: the configured transfer targets as an operator picks them, by name and
 * mode. Numbers are masked to their last four digits and SIP users hidden, so the list can sit in a browser.
 */
public final class TransferTargets {
    private TransferTargets() {
    }

    public static ObjectNode view(TransferConfig transfer) {
        ObjectNode body = Json.object();
        if (transfer.defaultTarget() == null) {
            body.putNull("defaultTarget");
        } else {
            body.put("defaultTarget", transfer.defaultTarget());
        }
        body.put("warmAvailable", transfer.twilio().isPresent());
        ArrayNode items = body.putArray("targets");
        for (TransferTarget target : transfer.targets().values()) {
            items.addObject()
                    .put("name", target.name())
                    .put("mode", target.mode().name().toLowerCase(Locale.ROOT))
                    .put("address", mask(target.uri()))
                    .put("default", target.name().equals(transfer.defaultTarget()))
                    .put("warmAllowed", target.mode() == TransferMode.COLD ? transfer.twilio().isPresent() : true);
        }
        return body;
    }

    /** {@code tel:+14255551212} → {@code +•••••••1212}; {@code sip:alice@pbx.example} → {@code sip:•••@pbx.example}. */
    public static String mask(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        if (lower.startsWith("tel:")) {
            String number = uri.substring(4);
            int keep = Math.min(4, number.length() - 1);
            return "+" + "•".repeat(Math.max(0, number.length() - 1 - keep)) + number.substring(number.length() - keep);
        }
        int colon = uri.indexOf(':');
        int at = uri.indexOf('@');
        return at > colon && colon > 0 ? uri.substring(0, colon + 1) + "•••" + uri.substring(at) : "•••";
    }
}

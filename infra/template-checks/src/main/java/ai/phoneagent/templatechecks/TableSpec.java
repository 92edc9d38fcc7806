package ai.phoneagent.templatechecks;

import java.util.List;
import java.util.Map;

/**
 * A DynamoDB table layout as the code declares it: attribute types, key schema, global secondary indexes,
 * billing mode and TTL attribute.
 *
 * @param attributes  attribute name to type ({@code S}, {@code N}, {@code B})
 * @param keySchema   hash then range key names
 * @param indexes     index name to its layout
 * @param billingMode {@code PAY_PER_REQUEST} or {@code PROVISIONED}
 * @param ttlAttribute the TTL attribute name
 */
public record TableSpec(Map<String, String> attributes, List<String> keySchema, Map<String, Index> indexes,
                        String billingMode, String ttlAttribute) {
    /** A global secondary index: hash then range key names, and the projection type. */
    public record Index(List<String> keySchema, String projection) {
    }
}

package ai.phoneagent.call;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One page of a query, with the key to continue from (absent on the last page). */
public record Page<T>(List<T> items, Optional<Map<String, String>> nextKey) {
    public Page {
        items = List.copyOf(items);
        nextKey = nextKey.map(Map::copyOf);
    }
}

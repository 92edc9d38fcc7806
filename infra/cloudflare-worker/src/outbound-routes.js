/** The dashboard's outbound-call paths under /api/outbound, mapped to the control API's /control/outbound routes. */
import { isValidId } from "./routes.js";

const NOT_FOUND = { error: { status: 404, code: "not_found", message: "Not found" } };

/** One path shape: each allowed method with its upstream route. */
function choose(method, options, id) {
  const target = options[method];
  if (!target) {
    const allow = Object.keys(options).join(", ");
    return { error: { status: 405, code: "method_not_allowed", message: "Method not allowed", allow } };
  }
  if (id !== undefined && !isValidId(id)) {
    return { error: { status: 400, code: "invalid_request", message: "Invalid launch or template id" } };
  }
  return { route: { method, ...target } };
}

/**
 * Matches /api/outbound/... (segments already split, starting with "api", "outbound"):
 * launches (create = the original dashboard's POST /control/outbound/launch, list, read one) and templates
 * (create, list, read, update, delete). Same result shape as matchRoute.
 */
export function matchOutboundRoute(method, segments) {
  const [, , kind, id, extra] = segments;
  if (extra !== undefined || segments.length < 3) return NOT_FOUND;
  if (kind === "launches") {
    if (id === undefined) {
      return choose(method, {
        GET: { upstreamPath: "/control/outbound", forwardQuery: true, hasBody: false },
        POST: { upstreamPath: "/control/outbound/launch", forwardQuery: false, hasBody: true },
      });
    }
    return choose(method, { GET: { upstreamPath: `/control/outbound/${id}`, forwardQuery: false, hasBody: false } }, id);
  }
  if (kind === "templates") {
    if (id === undefined) {
      return choose(method, {
        GET: { upstreamPath: "/control/outbound/templates", forwardQuery: true, hasBody: false },
        POST: { upstreamPath: "/control/outbound/templates", forwardQuery: false, hasBody: true },
      });
    }
    const path = `/control/outbound/templates/${id}`;
    return choose(method, {
      GET: { upstreamPath: path, forwardQuery: false, hasBody: false },
      PUT: { upstreamPath: path, forwardQuery: false, hasBody: true },
      DELETE: { upstreamPath: path, forwardQuery: false, hasBody: false },
    }, id);
  }
  return NOT_FOUND;
}

/** Maps dashboard paths under /api to control API routes, validating ids and methods. */
import { matchOutboundRoute } from "./outbound-routes.js";

export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const ACTIONS = new Set(["transfer", "hangup", "instructions"]);

/** True for paths the Worker serves (everything under /api). */
export function isApiPath(pathname) {
  return pathname === "/api" || pathname.startsWith("/api/");
}

/** True when a call or command id is safe to put into an upstream path. */
export function isValidId(id) {
  return typeof id === "string" && ID_PATTERN.test(id);
}

/** Builds a route result for a known path shape, checking method and ids. */
function route(method, allowed, ids, target) {
  if (method !== allowed) {
    return { error: { status: 405, code: "method_not_allowed", message: "Method not allowed", allow: allowed } };
  }
  if (!ids.every(isValidId)) {
    return { error: { status: 400, code: "invalid_request", message: "Invalid call or command id" } };
  }
  return { route: { method: allowed, ...target } };
}

/**
 * Matches method and path to an upstream route:
 * { route: { method, upstreamPath, forwardQuery, hasBody } } or { error: { status, code, message, allow? } }.
 */
export function matchRoute(method, pathname) {
  const trimmed = pathname.length > 1 ? pathname.replace(/\/$/, "") : pathname;
  const segments = trimmed.split("/").slice(1);
  if (trimmed === "/api/transfer-targets") {
    return route(method, "GET", [], { upstreamPath: "/control/transfer-targets", forwardQuery: false, hasBody: false });
  }
  if (segments[0] === "api" && segments[1] === "outbound") return matchOutboundRoute(method, segments);
  if (segments[0] !== "api" || segments[1] !== "calls") {
    return { error: { status: 404, code: "not_found", message: "Not found" } };
  }
  const [, , id, kind, sub] = segments;
  switch (segments.length) {
    case 2:
      return route(method, "GET", [], { upstreamPath: "/control/calls", forwardQuery: true, hasBody: false });
    case 3:
      return route(method, "GET", [id], {
        upstreamPath: `/control/calls/${id}`,
        forwardQuery: true,
        hasBody: false,
      });
    case 5:
      if (kind === "actions" && ACTIONS.has(sub)) {
        return route(method, "POST", [id], {
          upstreamPath: `/control/calls/${id}/${sub}`,
          forwardQuery: false,
          hasBody: true,
        });
      }
      if (kind === "commands") {
        return route(method, "GET", [id, sub], {
          upstreamPath: `/control/calls/${id}/commands/${sub}`,
          forwardQuery: false,
          hasBody: false,
        });
      }
      break;
  }
  return { error: { status: 404, code: "not_found", message: "Not found" } };
}

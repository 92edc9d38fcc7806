/** Cloudflare Worker: the operator console (/console) and an authenticated, CORS-aware proxy from /api to the control API. */
import { authConfigured, authenticate } from "./auth.js";
import { readConfig } from "./config.js";
import { originPermitted, preflightResponse, withCors } from "./cors.js";
import { errorResponse, log } from "./errors.js";
import { isConsolePath, serveConsole } from "./console.js";
import { proxyToControl } from "./proxy.js";
import { isApiPath, matchRoute } from "./routes.js";

/** Handles one request: preflight, foreign origins, fail-closed auth, routing, proxying. */
async function handle(request, url, config, env) {
  if (isConsolePath(url.pathname)) return serveConsole(request, url, config, env);
  if (!isApiPath(url.pathname)) return errorResponse(404, "not_found", "Not found");
  if (request.method === "OPTIONS") return preflightResponse(request, config);
  if (!originPermitted(request, url, config)) return errorResponse(403, "origin_not_allowed", "Origin is not allowed");
  if (!authConfigured(config)) {
    log("error", "dashboard_auth_not_configured");
    return errorResponse(503, "control_unavailable", "Dashboard authentication is not configured");
  }
  const auth = await authenticate(request, config);
  if (!auth.ok) {
    return errorResponse(401, "unauthorized", "Missing or invalid credentials", {
      "WWW-Authenticate": 'Bearer realm="control"',
    });
  }
  const match = matchRoute(request.method, url.pathname);
  if (match.error) {
    const { status, code, message, allow } = match.error;
    return errorResponse(status, code, message, allow ? { Allow: `${allow}, OPTIONS` } : {});
  }
  return proxyToControl(request, match.route, url, config);
}

export default {
  /** Worker entry point. */
  async fetch(request, env) {
    const config = readConfig(env);
    let response;
    try {
      response = await handle(request, new URL(request.url), config, env);
    } catch (err) {
      log("error", "unhandled_error", { error: err?.name ?? "Error" });
      response = errorResponse(500, "internal_error", "Internal error");
    }
    return withCors(response, request, config);
  },
};

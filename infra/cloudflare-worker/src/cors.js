/** CORS for the dashboard: only origins listed in ALLOWED_ORIGINS are ever echoed back. */
import { errorResponse } from "./errors.js";

export const ALLOWED_METHODS = "GET, POST, OPTIONS";
export const ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, Cf-Access-Jwt-Assertion";
const PREFLIGHT_MAX_AGE_SECONDS = "600";

/** Returns the request's Origin when it is on the allow-list, otherwise undefined. */
export function allowedOrigin(request, config) {
  const origin = request.headers.get("Origin");
  return origin && config.allowedOrigins.has(origin) ? origin : undefined;
}

/**
 * False when the request comes from a page on another origin that is not listed. Browsers send Origin on every
 * cross-origin request, including "simple" POSTs that skip the preflight; refusing them stops a foreign page from
 * using the operator's Cloudflare Access cookie (which Access turns into Cf-Access-Jwt-Assertion) to act on calls.
 * Requests without Origin (curl, servers) and same-origin requests pass.
 */
export function originPermitted(request, url, config) {
  const origin = request.headers.get("Origin");
  if (!origin) {
    // no Origin: curl and servers, or a browser that still says where the request came from
    const site = request.headers.get("Sec-Fetch-Site");
    return request.method === "GET" || request.method === "HEAD" || !site || site === "same-origin" || site === "none";
  }
  return origin === url.origin || config.allowedOrigins.has(origin);
}

/** Answers a CORS preflight: 204 with CORS headers for a listed origin, 403 without ACAO otherwise. */
export function preflightResponse(request, config) {
  const origin = allowedOrigin(request, config);
  if (!origin) {
    return errorResponse(403, "origin_not_allowed", "Origin is not allowed", { Vary: "Origin" });
  }
  return new Response(null, {
    status: 204,
    headers: {
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Allow-Methods": ALLOWED_METHODS,
      "Access-Control-Allow-Headers": ALLOWED_HEADERS,
      "Access-Control-Max-Age": PREFLIGHT_MAX_AGE_SECONDS,
      Vary: "Origin",
    },
  });
}

/** Adds Vary: Origin to a response, and Access-Control-Allow-Origin when the origin is listed. */
export function withCors(response, request, config) {
  const headers = new Headers(response.headers);
  const vary = headers.get("Vary") ?? "";
  if (!/(^|,)\s*origin\s*(,|$)/i.test(vary)) headers.append("Vary", "Origin");
  headers.delete("Access-Control-Allow-Origin");
  const origin = allowedOrigin(request, config);
  if (origin) headers.set("Access-Control-Allow-Origin", origin);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

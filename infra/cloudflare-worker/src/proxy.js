/** Forwards an authenticated dashboard request to the control API and maps failures to error bodies. */
import { errorResponse, log, rawJsonResponse } from "./errors.js";

/** Same limit as the control API, so an oversized body fails here with the same code. */
export const MAX_BODY_BYTES = 16 * 1024;
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7E]{1,200}$/;
const NO_BODY_STATUSES = new Set([204, 205, 304]);
const decoder = new TextDecoder();

/** Returns the control API base URL as a URL when the proxy is configured, otherwise undefined. */
export function controlBaseUrl(config) {
  if (!config.controlBaseUrl || !config.controlToken) return undefined;
  try {
    const url = new URL(config.controlBaseUrl);
    if (!["http:", "https:"].includes(url.protocol) || url.username || url.password) return undefined;
    return url;
  } catch {
    return undefined;
  }
}

/** True for application/json and any +json media type. */
export function isJsonContentType(value) {
  const mediaType = (value ?? "").split(";")[0].trim().toLowerCase();
  return mediaType === "application/json" || mediaType.endsWith("+json");
}

/**
 * Reads the dashboard's body for an action: JSON sent as JSON is forwarded as is; an empty body, or one sent without
 * a JSON content type, arrives as "{}" (the contract existing dashboards rely on).
 */
export async function readActionBody(request) {
  const declared = Number(request.headers.get("Content-Length"));
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) return { ok: false, status: 413 };
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > MAX_BODY_BYTES) return { ok: false, status: 413 };
  const text = decoder.decode(bytes);
  if (text.trim() === "" || !isJsonContentType(request.headers.get("Content-Type"))) return { ok: true, text: "{}" };
  try {
    JSON.parse(text);
  } catch {
    return { ok: false, status: 400 };
  }
  return { ok: true, text };
}

/** Builds the upstream URL from the base URL (which may carry a stage path), route and query. */
function upstreamUrl(base, route, search) {
  const prefix = base.pathname.replace(/\/+$/, "");
  return `${base.origin}${prefix}${route.upstreamPath}${route.forwardQuery ? search : ""}`;
}

/** Builds the upstream headers: control bearer, optional Access service token, JSON, Idempotency-Key. */
function upstreamHeaders(config, idempotencyKey, hasBody) {
  const headers = new Headers({
    Accept: "application/json",
    Authorization: `Bearer ${config.controlToken}`,
  });
  if (hasBody) headers.set("Content-Type", "application/json");
  if (config.accessClientId && config.accessClientSecret) {
    headers.set("CF-Access-Client-Id", config.accessClientId);
    headers.set("CF-Access-Client-Secret", config.accessClientSecret);
  }
  if (idempotencyKey) headers.set("Idempotency-Key", idempotencyKey);
  return headers;
}

/** Passes the upstream status and JSON body through; anything that is not JSON becomes a 502. */
function relayResponse(status, text, retryAfter, routeName) {
  const extra = retryAfter ? { "Retry-After": retryAfter } : {};
  if (NO_BODY_STATUSES.has(status)) return new Response(null, { status, headers: extra });
  if (status < 200 || status > 599 || (status >= 300 && status < 400)) {
    log("warn", "control_unexpected_status", { route: routeName, status });
    return errorResponse(502, "control_upstream_error", "Control API returned an unexpected response");
  }
  try {
    JSON.parse(text);
  } catch {
    log("warn", "control_non_json_body", { route: routeName, status });
    return errorResponse(502, "control_upstream_error", "Control API returned a non-JSON response");
  }
  if (status === 401 || status === 403) log("warn", "control_rejected_proxy_credentials", { route: routeName, status });
  return rawJsonResponse(status, text, extra);
}

/** Proxies one matched route to the control API with the configured timeout. */
export async function proxyToControl(request, route, url, config) {
  const base = controlBaseUrl(config);
  if (!base) {
    log("error", "control_not_configured", { route: route.upstreamPath });
    return errorResponse(503, "control_unavailable", "Control API is not configured");
  }

  const idempotencyKey = request.headers.get("Idempotency-Key")?.trim() || undefined;
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
    return errorResponse(400, "invalid_request", "Idempotency-Key must be 1-200 visible ASCII characters");
  }

  let body;
  if (route.hasBody) {
    const read = await readActionBody(request);
    if (!read.ok) {
      return read.status === 413
        ? errorResponse(413, "payload_too_large", "Request body is too large")
        : errorResponse(400, "invalid_request", "Request body is not valid JSON");
    }
    body = read.text;
  }

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, config.timeoutMs);
  const started = Date.now();
  try {
    const upstream = await fetch(upstreamUrl(base, route, url.search), {
      method: route.method,
      headers: upstreamHeaders(config, idempotencyKey, route.hasBody),
      body,
      signal: controller.signal,
      redirect: "manual",
    });
    const text = await upstream.text();
    return relayResponse(upstream.status, text, upstream.headers.get("Retry-After"), route.upstreamPath);
  } catch (err) {
    const elapsedMs = Date.now() - started;
    if (timedOut) {
      log("warn", "control_timeout", { route: route.upstreamPath, timeoutMs: config.timeoutMs, elapsedMs });
      return errorResponse(504, "control_timeout", `Control API did not answer within ${config.timeoutMs} ms`);
    }
    log("warn", "control_upstream_error", { route: route.upstreamPath, error: err?.name ?? "Error", elapsedMs });
    return errorResponse(502, "control_upstream_error", "Control API could not be reached");
  } finally {
    clearTimeout(timer);
  }
}

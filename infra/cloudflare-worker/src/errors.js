/** JSON response helpers; every error body is {"ok": false, "error": {"code", "message"}}. */

const BASE_HEADERS = {
  "Content-Type": "application/json; charset=utf-8",
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
};

/** Builds a JSON response from an already serialised body string. */
export function rawJsonResponse(status, bodyText, headers = {}) {
  return new Response(bodyText, { status, headers: { ...BASE_HEADERS, ...headers } });
}

/** Builds a JSON response from a value. */
export function jsonResponse(status, value, headers = {}) {
  return rawJsonResponse(status, JSON.stringify(value), headers);
}

/** Builds the standard error response; messages are fixed strings, never request or secret data. */
export function errorResponse(status, code, message, headers = {}) {
  return jsonResponse(status, { ok: false, error: { code, message } }, headers);
}

/** Writes one structured log line; callers pass only non-secret fields. */
export function log(level, msg, fields = {}) {
  const line = JSON.stringify({ level, msg, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

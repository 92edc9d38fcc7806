/**
 * The console's only way to the control API: same-origin calls to /api/** (the Cloudflare Worker in production, the
 * local stack locally). The browser holds a session (an Access cookie or the local session cookie), never the
 * control token.
 */

export class ApiError extends Error {
  constructor(kind, status, code, message, body) {
    super(message);
    this.kind = kind; // "unreachable" | "unauthorized" | "http"
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

const TIMEOUT_MS = 15000;

async function request(method, path, { body, idempotencyKey } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(`/api${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin", cache: "no-store", signal: controller.signal, redirect: "error",
    });
  } catch {
    throw new ApiError("unreachable", 0, "unreachable", "The control API could not be reached");
  } finally {
    clearTimeout(timer);
  }
  let json = {};
  try {
    json = await response.json();
  } catch {
    json = {};
  }
  if (response.status === 401 || response.status === 403 && json?.error?.code !== "origin_not_allowed") {
    throw new ApiError("unauthorized", response.status, json?.error?.code ?? "unauthorized",
      json?.error?.message ?? "Not signed in", json);
  }
  if (!response.ok) {
    throw new ApiError("http", response.status, json?.error?.code ?? `http_${response.status}`,
      json?.error?.message ?? `HTTP ${response.status}`, json);
  }
  return { status: response.status, body: json };
}

export const api = {
  get: (path) => request("GET", path),
  post: (path, body, idempotencyKey) => request("POST", path, { body, idempotencyKey }),
};

/** What to tell the operator about a failed read. */
export function describeReadError(error) {
  if (error.kind === "unreachable") {
    return ["The control API is unreachable", "Check your connection; the page retries on its own."];
  }
  if (error.kind === "unauthorized") {
    return ["You are not signed in", "Sign in again (locally: open the login link the run command printed), then reload."];
  }
  if (error.code === "call_not_found") return ["No such call", "It may have expired; go back to the calls list."];
  return [`The control API answered ${error.status} ${error.code}`, error.message];
}

/** Shared helpers for the Worker tests (run inside workerd). */
import { env, exports } from "cloudflare:workers";
import { inject } from "vitest";
import worker from "../src/index.js";
import { TEST_SECRETS } from "./secrets.js";

export const UPSTREAM = inject("upstreamOrigin");
export const CLOSED_UPSTREAM = inject("closedOrigin");
export const DASHBOARD_ORIGIN = "https://dashboard.example.com";
export const WORKER_ORIGIN = "https://proxy.example.com";
export { TEST_SECRETS };

/** A fresh id that matches the Worker's id pattern, with an optional behaviour prefix. */
export function uniqueId(prefix = "call") {
  return `${prefix}-${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
}

/** Headers carrying the valid dashboard bearer. */
export function dashboardAuth(extra = {}) {
  return { Authorization: `Bearer ${TEST_SECRETS.DASHBOARD_TOKEN}`, ...extra };
}

/** Sends a request through the deployed-style Worker (wrangler.toml + test bindings). */
export function callWorker(path, init = {}) {
  return exports.default.fetch(new Request(`${WORKER_ORIGIN}${path}`, init));
}

/** Calls the Worker's fetch handler with env overrides (undefined removes a binding). */
export function callWorkerWithEnv(overrides, path, init = {}) {
  const merged = { ...env, ...overrides };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete merged[key];
  return worker.fetch(new Request(`${WORKER_ORIGIN}${path}`, init), merged);
}

/** Lists the requests the fake upstream recorded whose path or query contains needle. */
export async function recordedRequests(needle) {
  const response = await fetch(`${UPSTREAM}/__test/requests?contains=${encodeURIComponent(needle)}`);
  return response.json();
}

/** Reads a response as JSON along with its status and headers. */
export async function readJson(response) {
  return { status: response.status, headers: response.headers, body: await response.json() };
}

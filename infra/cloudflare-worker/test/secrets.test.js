import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  CLOSED_UPSTREAM,
  DASHBOARD_ORIGIN,
  TEST_SECRETS,
  callWorker,
  callWorkerWithEnv,
  dashboardAuth,
  uniqueId,
} from "./helpers.js";

const SECRET_VALUES = Object.values(TEST_SECRETS);
const auth = () => dashboardAuth({ Origin: DASHBOARD_ORIGIN, "Content-Type": "application/json" });

/** Every kind of outcome the Worker can produce, one request each. */
const SCENARIOS = [
  ["200 proxied GET", () => callWorker(`/api/calls/${uniqueId()}`, { headers: auth() })],
  ["200 proxied action", () => callWorker(`/api/calls/${uniqueId()}/actions/transfer`, { method: "POST", headers: auth(), body: '{"target":"sales"}' })],
  ["401 no credentials", () => callWorker(`/api/calls/${uniqueId()}`)],
  ["401 wrong bearer", () => callWorker(`/api/calls/${uniqueId()}`, { headers: { Authorization: "Bearer nope" } })],
  ["401 bad Access JWT", () => callWorker(`/api/calls/${uniqueId()}`, { headers: { "Cf-Access-Jwt-Assertion": "a.b.c" } })],
  ["401 certs unreachable", () => callWorkerWithEnv({ ACCESS_CERTS_URL: `${CLOSED_UPSTREAM}/c` }, `/api/calls/${uniqueId()}`, { headers: { "Cf-Access-Jwt-Assertion": "eyJhbGciOiJSUzI1NiJ9.eyJ4IjoxfQ.c2ln" } })],
  ["503 auth unconfigured", () => callWorkerWithEnv({ DASHBOARD_TOKEN: undefined, ACCESS_AUDIENCE: undefined }, `/api/calls/${uniqueId()}`, { headers: auth() })],
  ["503 control unconfigured", () => callWorkerWithEnv({ CONTROL_API_BASE_URL: undefined }, `/api/calls/${uniqueId()}`, { headers: auth() })],
  ["502 upstream down", () => callWorkerWithEnv({ CONTROL_API_BASE_URL: CLOSED_UPSTREAM }, `/api/calls/${uniqueId()}`, { headers: auth() })],
  ["502 non-JSON upstream", () => callWorker(`/api/calls/${uniqueId("nonjson")}`, { headers: auth() })],
  ["504 timeout", () => callWorker(`/api/calls/${uniqueId("slow")}`, { headers: auth() })],
  ["404 upstream", () => callWorker(`/api/calls/${uniqueId("missing")}`, { headers: auth() })],
  ["400 bad JSON", () => callWorker(`/api/calls/${uniqueId()}/actions/hangup`, { method: "POST", headers: auth(), body: "{" })],
  ["400 bad id", () => callWorker("/api/calls/bad.id", { headers: auth() })],
  ["404 unknown path", () => callWorker("/api/other", { headers: auth() })],
  ["405 wrong method", () => callWorker("/api/calls", { method: "POST", headers: auth() })],
  ["204 preflight", () => callWorker("/api/calls", { method: "OPTIONS", headers: { Origin: DASHBOARD_ORIGIN } })],
  ["403 foreign origin", () => callWorker(`/api/calls/${uniqueId()}`, { headers: dashboardAuth({ Origin: "https://evil.example.com" }) })],
  ["403 preflight", () => callWorker("/api/calls", { method: "OPTIONS", headers: { Origin: "https://evil.example.com" } })],
];

describe("secrets never leak", () => {
  let logged;

  beforeEach(() => {
    logged = [];
    for (const level of ["log", "info", "warn", "error", "debug"]) {
      vi.spyOn(console, level).mockImplementation((...args) => logged.push(args.map(String).join(" ")));
    }
  });

  afterEach(() => vi.restoreAllMocks());

  it.each(SCENARIOS)("no secret appears in the response or logs for %s", async (_name, send) => {
    const response = await send();
    const text = await response.text();
    const headerText = [...response.headers].map(([name, value]) => `${name}: ${value}`).join("\n");
    for (const secret of SECRET_VALUES) {
      expect(text).not.toContain(secret);
      expect(headerText).not.toContain(secret);
      for (const line of logged) expect(line).not.toContain(secret);
    }
    if (response.status >= 400 && text) {
      expect(JSON.parse(text)).toEqual({ ok: false, error: { code: expect.any(String), message: expect.any(String) } });
    }
  });
});

import { describe, expect, it } from "vitest";
import { bearerToken, timingSafeEqualStrings } from "../src/auth.js";
import {
  TEST_SECRETS,
  callWorker,
  callWorkerWithEnv,
  dashboardAuth,
  readJson,
  recordedRequests,
  uniqueId,
} from "./helpers.js";

const NO_DASHBOARD_AUTH = { DASHBOARD_TOKEN: undefined, ACCESS_TEAM_DOMAIN: undefined, ACCESS_AUDIENCE: undefined };

describe("authentication is required for /api", () => {
  it("rejects a request without credentials with 401 unauthorized and never calls upstream", async () => {
    const id = uniqueId();
    const { status, body, headers } = await readJson(await callWorker(`/api/calls/${id}/actions/hangup`, { method: "POST" }));
    expect(status).toBe(401);
    expect(body).toEqual({ ok: false, error: { code: "unauthorized", message: expect.any(String) } });
    expect(headers.get("WWW-Authenticate")).toContain("Bearer");
    expect(await recordedRequests(id)).toEqual([]);
  });

  it("rejects unauthenticated GETs too (not an open relay)", async () => {
    for (const path of ["/api/calls", `/api/calls/${uniqueId()}`, `/api/calls/${uniqueId()}/commands/cmd-1`]) {
      expect((await callWorker(path)).status, path).toBe(401);
    }
  });

  it("fails closed with 503 control_unavailable when no dashboard auth method is configured", async () => {
    const id = uniqueId();
    const response = await callWorkerWithEnv(NO_DASHBOARD_AUTH, `/api/calls/${id}`, { headers: dashboardAuth() });
    const { status, body } = await readJson(response);
    expect(status).toBe(503);
    expect(body.error.code).toBe("control_unavailable");
    expect(await recordedRequests(id)).toEqual([]);
  });

  it("fails closed when Cloudflare Access is only half configured and there is no dashboard token", async () => {
    const response = await callWorkerWithEnv(
      { ...NO_DASHBOARD_AUTH, ACCESS_TEAM_DOMAIN: "testteam.cloudflareaccess.com" },
      `/api/calls/${uniqueId()}`,
    );
    expect(response.status).toBe(503);
  });

  it("accepts the dashboard bearer token", async () => {
    const id = uniqueId();
    const { status, body } = await readJson(await callWorker(`/api/calls/${id}`, { headers: dashboardAuth() }));
    expect(status).toBe(200);
    expect(body.echo.path).toBe(`/control/calls/${id}`);
  });

  it("accepts the dashboard bearer when it is the only configured method", async () => {
    const response = await callWorkerWithEnv(
      { ACCESS_TEAM_DOMAIN: undefined, ACCESS_AUDIENCE: undefined },
      `/api/calls/${uniqueId()}`,
      { headers: dashboardAuth() },
    );
    expect(response.status).toBe(200);
  });

  it("rejects a wrong bearer token with 401", async () => {
    const wrong = [
      "x".repeat(TEST_SECRETS.DASHBOARD_TOKEN.length),
      TEST_SECRETS.DASHBOARD_TOKEN.slice(0, -1),
      `${TEST_SECRETS.DASHBOARD_TOKEN}x`,
      TEST_SECRETS.CONTROL_API_TOKEN,
    ];
    for (const token of wrong) {
      const id = uniqueId();
      const response = await callWorker(`/api/calls/${id}`, { headers: { Authorization: `Bearer ${token}` } });
      expect(response.status).toBe(401);
      expect(await recordedRequests(id)).toEqual([]);
    }
  });

  it("rejects the token in a non-Bearer scheme", async () => {
    const headers = { Authorization: `Basic ${TEST_SECRETS.DASHBOARD_TOKEN}` };
    expect((await callWorker(`/api/calls/${uniqueId()}`, { headers })).status).toBe(401);
  });

  it("rejects a bearer when DASHBOARD_TOKEN is unset even though Access is configured", async () => {
    const response = await callWorkerWithEnv({ DASHBOARD_TOKEN: undefined }, `/api/calls/${uniqueId()}`, {
      headers: dashboardAuth(),
    });
    expect(response.status).toBe(401);
  });
});

describe("token helpers", () => {
  it("compares tokens by value in constant time", async () => {
    expect(await timingSafeEqualStrings("abc", "abc")).toBe(true);
    expect(await timingSafeEqualStrings("abc", "abd")).toBe(false);
    expect(await timingSafeEqualStrings("abc", "abcd")).toBe(false);
    expect(await timingSafeEqualStrings("", "a")).toBe(false);
  });

  it("extracts only Bearer tokens", () => {
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(bearerToken("bearer   abc ")).toBe("abc");
    expect(bearerToken("Bearer")).toBeUndefined();
    expect(bearerToken("Bearer a b")).toBeUndefined();
    expect(bearerToken("Token abc")).toBeUndefined();
    expect(bearerToken(null)).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import {
  DASHBOARD_ORIGIN,
  WORKER_ORIGIN,
  callWorker,
  callWorkerWithEnv,
  dashboardAuth,
  readJson,
  recordedRequests,
  uniqueId,
} from "./helpers.js";
import { generateSigningKey, publishJwks, signJwt, validClaims } from "./jwt.js";

/** Sends a CORS preflight for a POST action. */
function preflight(id, origin) {
  const headers = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
  };
  if (origin) headers.Origin = origin;
  return callWorker(`/api/calls/${id}/actions/transfer`, { method: "OPTIONS", headers });
}

describe("CORS", () => {
  it("echoes an allowed Origin with Vary: Origin", async () => {
    const response = await callWorker(`/api/calls/${uniqueId()}`, { headers: dashboardAuth({ Origin: DASHBOARD_ORIGIN }) });
    expect(response.status).toBe(200);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe(DASHBOARD_ORIGIN);
    expect(response.headers.get("Vary")).toBe("Origin");
  });

  it("echoes every origin on the comma-separated list", async () => {
    const response = await callWorker(`/api/calls/${uniqueId()}`, {
      headers: dashboardAuth({ Origin: "https://ops.example.com" }),
    });
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("https://ops.example.com");
  });

  it("adds CORS headers to error responses for allowed origins so the dashboard can read them", async () => {
    const response = await callWorker(`/api/calls/${uniqueId()}`, { headers: { Origin: DASHBOARD_ORIGIN } });
    expect(response.status).toBe(401);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe(DASHBOARD_ORIGIN);
  });

  it("does not echo a disallowed Origin", async () => {
    for (const origin of ["https://evil.example.com", "https://dashboard.example.com.evil.com", "null", "http://dashboard.example.com"]) {
      const response = await callWorker(`/api/calls/${uniqueId()}`, { headers: dashboardAuth({ Origin: origin }) });
      expect(response.headers.get("Access-Control-Allow-Origin"), origin).toBeNull();
      expect(response.headers.get("Vary")).toBe("Origin");
    }
  });

  it("refuses a request from a foreign page even with valid credentials (no CSRF through the Access cookie)", async () => {
    // Cloudflare Access turns the operator's cookie into Cf-Access-Jwt-Assertion, and a form-like POST skips the preflight
    const key = await generateSigningKey("kid-cors");
    const certsUrl = await publishJwks(`cors-${uniqueId()}`, [key]);
    const jwt = await signJwt(key, validClaims());
    const send = (id, headers) =>
      callWorkerWithEnv({ ACCESS_CERTS_URL: certsUrl }, `/api/calls/${id}/actions/hangup`, { method: "POST", headers });
    const sameSite = uniqueId();
    expect((await send(sameSite, { "Cf-Access-Jwt-Assertion": jwt })).status).toBe(200);
    for (const origin of ["https://evil.example.com", "null"]) {
      const id = uniqueId();
      const { status, body, headers } = await readJson(await send(id, { Origin: origin, "Cf-Access-Jwt-Assertion": jwt }));
      expect(status, origin).toBe(403);
      expect(body.error.code).toBe("origin_not_allowed");
      expect(headers.get("Access-Control-Allow-Origin")).toBeNull();
      expect(await recordedRequests(id)).toEqual([]);
    }
  });

  it("serves requests from a listed origin, from the Worker's own origin and without Origin", async () => {
    for (const origin of [DASHBOARD_ORIGIN, WORKER_ORIGIN, undefined]) {
      const id = uniqueId();
      const headers = dashboardAuth(origin ? { Origin: origin } : {});
      const response = await callWorker(`/api/calls/${id}/actions/hangup`, { method: "POST", headers });
      expect(response.status, String(origin)).toBe(200);
      expect(await recordedRequests(id)).toHaveLength(1);
    }
  });

  it("answers a preflight from an allowed origin with 204, methods and headers, without credentials", async () => {
    const id = uniqueId();
    const response = await preflight(id, DASHBOARD_ORIGIN);
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe(DASHBOARD_ORIGIN);
    expect(response.headers.get("Vary")).toBe("Origin");
    const methods = response.headers.get("Access-Control-Allow-Methods").split(/,\s*/);
    expect(methods.sort()).toEqual(["GET", "OPTIONS", "POST"]);
    const allowed = response.headers.get("Access-Control-Allow-Headers").toLowerCase().split(/,\s*/);
    expect(allowed.sort()).toEqual(["authorization", "cf-access-jwt-assertion", "content-type", "idempotency-key"]);
    expect(await recordedRequests(id)).toEqual([]);
  });

  it("refuses a preflight from a non-listed origin with 403 and no ACAO", async () => {
    for (const origin of ["https://evil.example.com", undefined]) {
      const response = await preflight(uniqueId(), origin);
      expect(response.status).toBe(403);
      expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
      expect(response.headers.get("Access-Control-Allow-Methods")).toBeNull();
    }
  });
});

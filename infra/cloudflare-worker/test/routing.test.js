import { describe, expect, it } from "vitest";
import { matchRoute } from "../src/routes.js";
import { callWorker, dashboardAuth, readJson, recordedRequests, uniqueId } from "./helpers.js";

describe("routing", () => {
  it("answers 404 not_found for unknown paths", async () => {
    for (const path of ["/", "/api", "/api/nope", "/api/calls/abc/extra", "/api/calls/abc/actions/dance", "/control/calls"]) {
      const { status, body } = await readJson(await callWorker(path, { method: "POST", headers: dashboardAuth() }));
      expect(status, path).toBe(404);
      expect(body.error.code, path).toBe("not_found");
    }
  });

  it("answers 405 method_not_allowed with an Allow header for a wrong method", async () => {
    const cases = [
      ["GET", "/api/calls/abc/actions/hangup", "POST"],
      ["PUT", "/api/calls/abc/actions/transfer", "POST"],
      ["POST", "/api/calls", "GET"],
      ["DELETE", "/api/calls/abc", "GET"],
      ["POST", "/api/calls/abc/commands/cmd1", "GET"],
    ];
    for (const [method, path, allowed] of cases) {
      const { status, body, headers } = await readJson(await callWorker(path, { method, headers: dashboardAuth() }));
      expect(status, `${method} ${path}`).toBe(405);
      expect(body.error.code).toBe("method_not_allowed");
      expect(headers.get("Allow")).toBe(`${allowed}, OPTIONS`);
    }
  });

  it("ignores method-override headers and never lets dot segments or case escape /api/calls", async () => {
    const override = await callWorker("/api/calls", {
      method: "POST",
      headers: dashboardAuth({ "X-HTTP-Method-Override": "GET", "X-Method-Override": "GET" }),
    });
    expect(override.status).toBe(405);
    for (const path of ["/api/calls/x/../../other", "/api/calls/%2e%2e/%2e%2e/control/calls", "/API/calls", "/api//calls"]) {
      const { status } = await callWorker(path, { headers: dashboardAuth() });
      expect(status, path).toBe(404);
    }
    expect(await recordedRequests("/control/calls/..")).toEqual([]);
  });

  it("answers 400 invalid_request for a bad call id or command id and never calls upstream", async () => {
    const paths = [
      "/api/calls/bad.id",
      `/api/calls/${"a".repeat(65)}`,
      "/api/calls/a%2Fb/actions/hangup",
      "/api/calls/..%2F..%2Fadmin",
      "/api/calls/abc/commands/cmd$1",
    ];
    for (const path of paths) {
      const method = path.includes("/actions/") ? "POST" : "GET";
      const { status, body } = await readJson(await callWorker(path, { method, headers: dashboardAuth() }));
      expect(status, path).toBe(400);
      expect(body.error.code).toBe("invalid_request");
    }
    expect(await recordedRequests("admin")).toEqual([]);
  });

  it("accepts ids of up to 64 letters, digits, '_' and '-'", async () => {
    const id = `rtc_${"A1b2-".repeat(12)}`.slice(0, 64);
    expect((await callWorker(`/api/calls/${id}`, { headers: dashboardAuth() })).status).toBe(200);
    expect(await recordedRequests(id)).toHaveLength(1);
  });

  it("tolerates one trailing slash", async () => {
    const id = uniqueId();
    expect((await callWorker(`/api/calls/${id}/`, { headers: dashboardAuth() })).status).toBe(200);
  });

  it("matches routes to upstream paths", () => {
    expect(matchRoute("GET", "/api/calls")).toEqual({
      route: { method: "GET", upstreamPath: "/control/calls", forwardQuery: true, hasBody: false },
    });
    expect(matchRoute("POST", "/api/calls/c1/actions/instructions").route.upstreamPath).toBe("/control/calls/c1/instructions");
    expect(matchRoute("GET", "/api/calls/c1/commands/k1").route.upstreamPath).toBe("/control/calls/c1/commands/k1");
    expect(matchRoute("GET", "/api/calls/c1/actions").error.status).toBe(404);
  });
});

import { describe, expect, it } from "vitest";
import { CLOSED_UPSTREAM, callWorker, callWorkerWithEnv, dashboardAuth, readJson, recordedRequests, uniqueId } from "./helpers.js";

describe("control API failures", () => {
  it("answers 504 control_timeout when the control API is slower than CONTROL_API_TIMEOUT_MS", async () => {
    const id = uniqueId("slow");
    const started = Date.now();
    const { status, body } = await readJson(
      await callWorker(`/api/calls/${id}/actions/transfer`, { method: "POST", headers: dashboardAuth() }),
    );
    const elapsed = Date.now() - started;
    expect(status).toBe(504);
    expect(body).toEqual({ ok: false, error: { code: "control_timeout", message: expect.stringContaining("1000 ms") } });
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(3500);
    expect(await recordedRequests(id)).toHaveLength(1);
  });

  it("clamps a too-small CONTROL_API_TIMEOUT_MS up to 1000 ms", async () => {
    const started = Date.now();
    const response = await callWorkerWithEnv({ CONTROL_API_TIMEOUT_MS: "5" }, `/api/calls/${uniqueId("slow")}`, {
      headers: dashboardAuth(),
    });
    const elapsed = Date.now() - started;
    const { status, body } = await readJson(response);
    expect(status).toBe(504);
    expect(body.error.message).toContain("1000 ms");
    expect(elapsed).toBeGreaterThanOrEqual(900);
  });

  it("answers 502 control_upstream_error when the control API is down", async () => {
    const response = await callWorkerWithEnv({ CONTROL_API_BASE_URL: CLOSED_UPSTREAM }, `/api/calls/${uniqueId()}`, {
      headers: dashboardAuth(),
    });
    const { status, body } = await readJson(response);
    expect(status).toBe(502);
    expect(body).toEqual({ ok: false, error: { code: "control_upstream_error", message: expect.any(String) } });
  });

  it("passes an upstream 404 through with its JSON body", async () => {
    const id = uniqueId("missing");
    const { status, body, headers } = await readJson(
      await callWorker(`/api/calls/${id}/actions/hangup`, { method: "POST", headers: dashboardAuth() }),
    );
    expect(status).toBe(404);
    expect(headers.get("Content-Type")).toContain("application/json");
    expect(body).toEqual({ ok: false, error: { code: "call_not_found", message: `No call ${id}` } });
  });

  it("wraps a non-JSON upstream body as 502 control_upstream_error", async () => {
    const { status, body } = await readJson(await callWorker(`/api/calls/${uniqueId("nonjson")}`, { headers: dashboardAuth() }));
    expect(status).toBe(502);
    expect(body.error.code).toBe("control_upstream_error");
    expect(JSON.stringify(body)).not.toContain("gateway says hi");
  });

  it.each([
    ["CONTROL_API_BASE_URL is unset", { CONTROL_API_BASE_URL: undefined }],
    ["CONTROL_API_BASE_URL is blank", { CONTROL_API_BASE_URL: "  " }],
    ["CONTROL_API_BASE_URL is not an http(s) URL", { CONTROL_API_BASE_URL: "ftp://example.com" }],
    ["CONTROL_API_TOKEN is unset", { CONTROL_API_TOKEN: undefined }],
  ])("answers 503 control_unavailable when %s", async (_name, overrides) => {
    const id = uniqueId();
    const response = await callWorkerWithEnv(overrides, `/api/calls/${id}/actions/hangup`, {
      method: "POST",
      headers: dashboardAuth(),
    });
    const { status, body } = await readJson(response);
    expect(status).toBe(503);
    expect(body.error.code).toBe("control_unavailable");
    expect(await recordedRequests(id)).toEqual([]);
  });
});

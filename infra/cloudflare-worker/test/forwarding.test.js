import { describe, expect, it } from "vitest";
import {
  TEST_SECRETS,
  UPSTREAM,
  callWorker,
  callWorkerWithEnv,
  dashboardAuth,
  readJson,
  recordedRequests,
  uniqueId,
} from "./helpers.js";

/** POSTs a dashboard action with the dashboard bearer. */
function postAction(id, action, { body, contentType = "application/json", headers = {} } = {}) {
  const allHeaders = dashboardAuth(headers);
  if (contentType) allHeaders["Content-Type"] = contentType;
  return callWorker(`/api/calls/${id}/actions/${action}`, { method: "POST", headers: allHeaders, body });
}

/** The single upstream request recorded for a unique id. */
async function onlyUpstreamRequest(needle) {
  const requests = await recordedRequests(needle);
  expect(requests).toHaveLength(1);
  return requests[0];
}

describe("forwarding to the control API", () => {
  it.each(["transfer", "hangup", "instructions"])("maps POST /api/calls/:id/actions/%s to POST /control/calls/:id/%s", async (action) => {
    const id = uniqueId();
    const { status, body } = await readJson(await postAction(id, action, { body: "{}" }));
    expect(status).toBe(200);
    expect(body.echo).toMatchObject({ method: "POST", path: `/control/calls/${id}/${action}` });
    const upstream = await onlyUpstreamRequest(id);
    expect(upstream.method).toBe("POST");
    expect(upstream.path).toBe(`/control/calls/${id}/${action}`);
  });

  it("maps GET /api/calls/:id/commands/:commandId to the command status route", async () => {
    const id = uniqueId();
    const commandId = `cmd_${crypto.randomUUID()}`;
    const response = await callWorker(`/api/calls/${id}/commands/${commandId}?ignored=1`, { headers: dashboardAuth() });
    expect(response.status).toBe(200);
    const upstream = await onlyUpstreamRequest(id);
    expect(upstream).toMatchObject({ method: "GET", path: `/control/calls/${id}/commands/${commandId}`, query: "" });
  });

  it("adds the control bearer and the Access service-token headers upstream", async () => {
    const id = uniqueId();
    await postAction(id, "hangup", { body: "{}" });
    const { headers } = await onlyUpstreamRequest(id);
    expect(headers.authorization).toBe(`Bearer ${TEST_SECRETS.CONTROL_API_TOKEN}`);
    expect(headers["cf-access-client-id"]).toBe(TEST_SECRETS.CF_ACCESS_CLIENT_ID);
    expect(headers["cf-access-client-secret"]).toBe(TEST_SECRETS.CF_ACCESS_CLIENT_SECRET);
    expect(headers["content-type"]).toBe("application/json");
  });

  it("sends the Access service-token headers only when both are set", async () => {
    const id = uniqueId();
    const response = await callWorkerWithEnv({ CF_ACCESS_CLIENT_SECRET: undefined }, `/api/calls/${id}`, {
      headers: dashboardAuth(),
    });
    expect(response.status).toBe(200);
    const { headers } = await onlyUpstreamRequest(id);
    expect(headers.authorization).toBe(`Bearer ${TEST_SECRETS.CONTROL_API_TOKEN}`);
    expect(headers["cf-access-client-id"]).toBeUndefined();
    expect(headers["cf-access-client-secret"]).toBeUndefined();
  });

  it("does not forward the dashboard's Authorization (or other dashboard headers) upstream", async () => {
    const id = uniqueId();
    await postAction(id, "transfer", { body: "{}", headers: { Cookie: "session=abc", "X-Custom": "1" } });
    const { headers } = await onlyUpstreamRequest(id);
    expect(headers.authorization).not.toContain(TEST_SECRETS.DASHBOARD_TOKEN);
    expect(JSON.stringify(headers)).not.toContain(TEST_SECRETS.DASHBOARD_TOKEN);
    expect(headers.cookie).toBeUndefined();
    expect(headers["x-custom"]).toBeUndefined();
  });

  it("passes the dashboard's JSON body through as is", async () => {
    const id = uniqueId();
    const text = '{"target":"sales","mode":"warm","message":"Bitte warten – einen Moment ✓","silent":false}';
    const { body } = await readJson(await postAction(id, "transfer", { body: text }));
    expect(body.echo.body).toBe(text);
    expect((await onlyUpstreamRequest(id)).body).toBe(text);
  });

  it("accepts JSON content types with parameters or a +json suffix", async () => {
    for (const contentType of ["application/json; charset=utf-8", "application/merge-patch+json"]) {
      const id = uniqueId();
      await postAction(id, "instructions", { body: '{"text":"Be brief"}', contentType });
      expect((await onlyUpstreamRequest(id)).body).toBe('{"text":"Be brief"}');
    }
  });

  it("forwards {} when the body is empty or has no JSON content type (the dashboards' contract)", async () => {
    const cases = [
      { body: '{"text":"sneaky"}', contentType: "text/plain" },
      { body: "target=sales", contentType: "application/x-www-form-urlencoded" },
      { body: undefined, contentType: null },
      { body: "", contentType: "application/json" },
      { body: "  ", contentType: "text/plain" },
    ];
    for (const options of cases) {
      const id = uniqueId();
      const response = await postAction(id, "hangup", options);
      expect(response.status, JSON.stringify(options)).toBe(200);
      const upstream = await onlyUpstreamRequest(id);
      expect(upstream.body).toBe("{}");
      expect(upstream.headers["content-type"]).toBe("application/json");
    }
  });

  it("rejects malformed JSON from the dashboard with 400 invalid_request and never calls upstream", async () => {
    const id = uniqueId();
    const { status, body } = await readJson(await postAction(id, "transfer", { body: '{"target": ' }));
    expect(status).toBe(400);
    expect(body).toEqual({ ok: false, error: { code: "invalid_request", message: expect.any(String) } });
    expect(await recordedRequests(id)).toEqual([]);
  });

  it("rejects bodies over 16 KiB with 413 payload_too_large, like the control API", async () => {
    const id = uniqueId();
    const big = JSON.stringify({ text: "x".repeat(17 * 1024) });
    const response = await postAction(id, "instructions", { body: big });
    expect(response.status).toBe(413);
    expect((await response.json()).error.code).toBe("payload_too_large");
    expect(await recordedRequests(id)).toEqual([]);
  });

  it("forwards the Idempotency-Key header when present and only then", async () => {
    const withKey = uniqueId();
    await postAction(withKey, "transfer", { body: "{}", headers: { "Idempotency-Key": "dash-7a1b-transfer-1" } });
    expect((await onlyUpstreamRequest(withKey)).headers["idempotency-key"]).toBe("dash-7a1b-transfer-1");

    const withoutKey = uniqueId();
    await postAction(withoutKey, "transfer", { body: "{}" });
    expect((await onlyUpstreamRequest(withoutKey)).headers["idempotency-key"]).toBeUndefined();
  });

  it("rejects an oversized Idempotency-Key with 400", async () => {
    const id = uniqueId();
    const response = await postAction(id, "hangup", { body: "{}", headers: { "Idempotency-Key": "k".repeat(201) } });
    expect(response.status).toBe(400);
    expect(await recordedRequests(id)).toEqual([]);
  });

  it("forwards the query string on GET /api/calls (status, limit, cursor)", async () => {
    const cursor = uniqueId("cursor");
    const query = `?status=recent&limit=25&cursor=${cursor}`;
    const { status, body } = await readJson(await callWorker(`/api/calls${query}`, { headers: dashboardAuth() }));
    expect(status).toBe(200);
    expect(body.echo).toMatchObject({ method: "GET", path: "/control/calls", query });
    const upstream = await onlyUpstreamRequest(cursor);
    expect(upstream.headers.authorization).toBe(`Bearer ${TEST_SECRETS.CONTROL_API_TOKEN}`);
  });

  it("forwards the query string on GET /api/calls/:id", async () => {
    const id = uniqueId();
    await callWorker(`/api/calls/${id}?include=events&limit=50`, { headers: dashboardAuth() });
    expect(await onlyUpstreamRequest(id)).toMatchObject({ path: `/control/calls/${id}`, query: "?include=events&limit=50" });
  });

  it("keeps a stage path in CONTROL_API_BASE_URL", async () => {
    const id = uniqueId();
    const response = await callWorkerWithEnv({ CONTROL_API_BASE_URL: `${UPSTREAM}/prod/` }, `/api/calls/${id}`, {
      headers: dashboardAuth(),
    });
    expect(response.status).toBe(200);
    expect((await onlyUpstreamRequest(id)).path).toBe(`/prod/control/calls/${id}`);
  });
});

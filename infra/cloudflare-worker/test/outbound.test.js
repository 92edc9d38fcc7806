import { describe, expect, it } from "vitest";
import { TEST_SECRETS, callWorker, dashboardAuth, readJson, recordedRequests, uniqueId } from "./helpers.js";

/** The single upstream request recorded for a unique needle. */
async function onlyUpstreamRequest(needle) {
  const requests = await recordedRequests(needle);
  expect(requests).toHaveLength(1);
  return requests[0];
}

describe("outbound calls", () => {
  it("maps POST /api/outbound/launches to the original POST /control/outbound/launch with its body and key", async () => {
    const launchId = uniqueId("launch");
    const body = JSON.stringify({ launch_id: launchId, to: "+15550100001", template_id: null, callee_name: "Pat",
      objective_note: null, instruction_block: "Be brief.", opening_script: null, voice_override: null,
      model_override: null });
    const response = await callWorker("/api/outbound/launches", {
      method: "POST",
      headers: dashboardAuth({ "Content-Type": "application/json", "Idempotency-Key": `key-${launchId}` }),
      body,
    });
    const { status, body: answer } = await readJson(response);
    expect(status).toBe(200);
    expect(answer.echo).toMatchObject({ method: "POST", path: "/control/outbound/launch" });
    expect(JSON.parse(answer.echo.body)).toMatchObject({ launch_id: launchId, to: "+15550100001", callee_name: "Pat" });
    const upstream = (await recordedRequests("/control/outbound/launch")).find((r) => r.body.includes(launchId));
    expect(upstream.headers.authorization).toBe(`Bearer ${TEST_SECRETS.CONTROL_API_TOKEN}`);
    expect(upstream.headers["idempotency-key"]).toBe(`key-${launchId}`);
  });

  it("maps the launch and template reads and writes", async () => {
    const id = uniqueId("tpl");
    const cases = [
      ["GET", `/api/outbound/launches/${id}`, `/control/outbound/${id}`],
      ["GET", `/api/outbound/templates/${id}`, `/control/outbound/templates/${id}`],
      ["PUT", `/api/outbound/templates/${id}`, `/control/outbound/templates/${id}`],
      ["DELETE", `/api/outbound/templates/${id}`, `/control/outbound/templates/${id}`],
    ];
    for (const [method, path, upstreamPath] of cases) {
      const init = { method, headers: dashboardAuth({ "Content-Type": "application/json" }) };
      if (method === "PUT") init.body = JSON.stringify({ name: id });
      const response = await callWorker(path, init);
      expect(response.status, `${method} ${path}`).toBe(200);
    }
    const requests = await recordedRequests(id);
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(cases.map(([m, , p]) => `${m} ${p}`));
  });

  it("forwards the list query and refuses bad ids and methods without calling upstream", async () => {
    const cursor = uniqueId("cursor");
    await callWorker(`/api/outbound/launches?limit=5&cursor=${cursor}`, { headers: dashboardAuth() });
    expect(await onlyUpstreamRequest(cursor)).toMatchObject({ method: "GET", path: "/control/outbound" });

    const bad = await readJson(await callWorker("/api/outbound/launches/bad.id", { headers: dashboardAuth() }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_request");
    const wrong = await readJson(await callWorker("/api/outbound/launches/abc", { method: "DELETE", headers: dashboardAuth() }));
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("Allow")).toBe("GET, OPTIONS");
    const unknown = await readJson(await callWorker("/api/outbound/dial", { method: "POST", headers: dashboardAuth() }));
    expect(unknown.status).toBe(404);
    expect(await recordedRequests("bad.id")).toEqual([]);
  });

  it("needs the dashboard's credentials like the call actions", async () => {
    const response = await callWorker("/api/outbound/launches", { method: "POST", body: "{}" });
    expect(response.status).toBe(401);
  });
});

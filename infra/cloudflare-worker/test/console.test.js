import { beforeAll, describe, expect, it } from "vitest";
import { CONSOLE_CSP } from "../src/console.js";
import { callWorker, callWorkerWithEnv, dashboardAuth, readJson, recordedRequests, TEST_SECRETS } from "./helpers.js";
import { generateSigningKey, publishJwks, signJwt, validClaims } from "./jwt.js";

let key;

beforeAll(async () => {
  key = await generateSigningKey("kid-main");
  await publishJwks("default", [key]);
});

/** A request as Cloudflare Access forwards it once the operator has signed in. */
async function asOperator(path, init = {}) {
  const token = await signJwt(key, validClaims());
  return callWorker(path, { ...init, headers: { "Cf-Access-Jwt-Assertion": token, ...init.headers } });
}

function expectConsoleHeaders(response) {
  expect(response.headers.get("Content-Security-Policy")).toBe(CONSOLE_CSP);
  expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  expect(response.headers.get("X-Frame-Options")).toBe("DENY");
  expect(response.headers.get("Cache-Control")).toBe("no-store");
}

describe("operator console (static assets)", () => {
  it("serves the app to an operator signed in through Cloudflare Access, with strict headers", async () => {
    const index = await asOperator("/console/");
    expect(index.status).toBe(200);
    expect(index.headers.get("Content-Type")).toMatch(/^text\/html/);
    const html = await index.text();
    expect(html).toContain('<script type="module" src="js/main.js"></script>');
    expectConsoleHeaders(index);
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    expect(CONSOLE_CSP).not.toContain("unsafe-inline");

    const script = await asOperator("/console/js/main.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("Content-Type")).toMatch(/javascript/);
    expect(await script.text()).toContain("mountLive");
    expectConsoleHeaders(script);
    const style = await asOperator("/console/app.css");
    expect(style.headers.get("Content-Type")).toMatch(/^text\/css/);
  });

  it("never puts the control token (or any secret) into what it serves", async () => {
    for (const path of ["/console/", "/console/js/api.js", "/console/js/actions.js", "/console/app.css"]) {
      const text = await (await asOperator(path)).text();
      for (const secret of Object.values(TEST_SECRETS)) expect(text, path).not.toContain(secret);
    }
  });

  it("refuses every console path without a valid session and never serves assets outside /console", async () => {
    for (const path of ["/console/", "/console/index.html", "/console/js/main.js", "/console/app.css", "/console"]) {
      const response = await callWorker(path);
      expect(response.status, path).toBe(401);
      expect(await response.text(), path).toContain("Not signed in");
      expectConsoleHeaders(response);
    }
    const expired = await signJwt(key, validClaims({ exp: Math.floor(Date.now() / 1000) - 600 }));
    expect((await callWorker("/console/", { headers: { "Cf-Access-Jwt-Assertion": expired } })).status).toBe(401);
    const forged = await signJwt(await generateSigningKey("kid-main"), validClaims());
    expect((await callWorker("/console/", { headers: { "Cf-Access-Jwt-Assertion": forged } })).status).toBe(401);
    for (const path of ["/index.html", "/js/main.js", "/app.css"]) {
      expect((await asOperator(path)).status, path).toBe(404);
    }
  });

  it("answers unknown console paths 404, redirects /console, and refuses writes", async () => {
    const missing = await asOperator("/console/js/missing.js");
    expect(missing.status).toBe(404);
    expectConsoleHeaders(missing);
    for (const path of ["/console/../wrangler.toml", "/console/%2e%2e/src/index.js", "/console/js/", "/console/x.txt"]) {
      expect((await asOperator(path)).status, path).toBe(404);
    }
    const redirect = await asOperator("/console", { redirect: "manual" });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get("Location")).toBe("/console/");
    const post = await asOperator("/console/", { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("Allow")).toBe("GET, HEAD");
  });

  it("fails closed when no authentication is configured", async () => {
    const response = await callWorkerWithEnv({ DASHBOARD_TOKEN: undefined, ACCESS_TEAM_DOMAIN: undefined }, "/console/",
      { headers: dashboardAuth() });
    expect(response.status).toBe(503);
  });
});

describe("console API support", () => {
  it("proxies GET /api/transfer-targets to the control API", async () => {
    const { status, body } = await readJson(await callWorker("/api/transfer-targets", { headers: dashboardAuth() }));
    expect(status).toBe(200);
    expect(body.echo.path).toBe("/control/transfer-targets");
    expect((await callWorker("/api/transfer-targets", { method: "POST", headers: dashboardAuth() })).status).toBe(405);
  });

  it("refuses a state-changing request a browser marks as cross-site, even without Origin", async () => {
    const id = `call-${crypto.randomUUID().slice(0, 8)}`;
    const crossSite = await callWorker(`/api/calls/${id}/actions/hangup`, {
      method: "POST", headers: dashboardAuth({ "Sec-Fetch-Site": "cross-site" }) });
    expect(crossSite.status).toBe(403);
    const sameOrigin = await callWorker(`/api/calls/${id}/actions/hangup`, {
      method: "POST", headers: dashboardAuth({ "Sec-Fetch-Site": "same-origin", Origin: "https://proxy.example.com" }) });
    expect(sameOrigin.status).toBe(200);
    expect(await recordedRequests(id)).toHaveLength(1);
  });
});

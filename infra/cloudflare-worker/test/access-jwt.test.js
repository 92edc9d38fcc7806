import { beforeAll, describe, expect, it } from "vitest";
import { JWKS_MAX_AGE_MS, JWKS_MIN_REFRESH_MS, JWKS_TTL_MS, verifyAccessJwt } from "../src/auth.js";
import { CLOSED_UPSTREAM, callWorker, callWorkerWithEnv, readJson, recordedRequests, uniqueId } from "./helpers.js";
import { AUDIENCE, TEAM_DOMAIN, base64Url, generateSigningKey, publishJwks, signJwt, validClaims } from "./jwt.js";

let key;
let otherKey;

beforeAll(async () => {
  key = await generateSigningKey("kid-main");
  otherKey = await generateSigningKey("kid-main"); // same kid, different key: forged signatures
  await publishJwks("default", [key]);
});

/** Calls the Worker with only an Access JWT as credentials. */
function callWithJwt(path, token, init = {}) {
  return callWorker(path, { ...init, headers: { "Cf-Access-Jwt-Assertion": token, ...init.headers } });
}

describe("Cloudflare Access JWT", () => {
  it("accepts a valid Access JWT and does not forward the assertion upstream", async () => {
    const id = uniqueId();
    const response = await callWithJwt(`/api/calls/${id}/actions/hangup`, await signJwt(key, validClaims()), {
      method: "POST",
    });
    expect(response.status).toBe(200);
    const [upstream] = await recordedRequests(id);
    expect(upstream.path).toBe(`/control/calls/${id}/hangup`);
    expect(upstream.headers["cf-access-jwt-assertion"]).toBeUndefined();
  });

  it("accepts aud given as a plain string and an exp within the small clock leeway", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signJwt(key, validClaims({ aud: AUDIENCE, exp: now - 5 }));
    expect((await callWithJwt(`/api/calls/${uniqueId()}`, token)).status).toBe(200);
  });

  it("rejects an expired JWT with 401", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signJwt(key, validClaims({ iat: now - 3600, nbf: now - 3600, exp: now - 600 }));
    const id = uniqueId();
    const { status, body } = await readJson(await callWithJwt(`/api/calls/${id}`, token));
    expect(status).toBe(401);
    expect(body.error.code).toBe("unauthorized");
    expect(await recordedRequests(id)).toEqual([]);
  });

  it("rejects a JWT without exp, or not valid yet", async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const claims of [validClaims({ exp: undefined }), validClaims({ nbf: now + 600 })]) {
      expect((await callWithJwt(`/api/calls/${uniqueId()}`, await signJwt(key, claims))).status).toBe(401);
    }
  });

  it("rejects a JWT for the wrong audience with 401", async () => {
    for (const aud of [["another-app"], "another-app", [], undefined]) {
      const token = await signJwt(key, validClaims({ aud }));
      expect((await callWithJwt(`/api/calls/${uniqueId()}`, token)).status, JSON.stringify(aud)).toBe(401);
    }
  });

  it("rejects a JWT from the wrong issuer with 401", async () => {
    for (const iss of ["https://evil.cloudflareaccess.com", TEAM_DOMAIN, `http://${TEAM_DOMAIN}`]) {
      const token = await signJwt(key, validClaims({ iss }));
      expect((await callWithJwt(`/api/calls/${uniqueId()}`, token)).status, iss).toBe(401);
    }
  });

  it("rejects a JWT with a bad signature with 401", async () => {
    const forged = await signJwt(otherKey, validClaims());
    expect((await callWithJwt(`/api/calls/${uniqueId()}`, forged)).status).toBe(401);

    const genuine = await signJwt(key, validClaims());
    const [header, , signature] = genuine.split(".");
    const tampered = `${header}.${base64Url(JSON.stringify(validClaims({ sub: "admin" })))}.${signature}`;
    expect((await callWithJwt(`/api/calls/${uniqueId()}`, tampered)).status).toBe(401);
  });

  it("rejects other algorithms, unknown key ids and malformed tokens with 401", async () => {
    const claims = validClaims();
    const unsigned = `${base64Url(JSON.stringify({ alg: "none", kid: key.kid }))}.${base64Url(JSON.stringify(claims))}.`;
    const tokens = [
      unsigned,
      await signJwt(key, claims, { alg: "HS256" }),
      await signJwt(key, claims, { kid: "kid-unknown" }),
      "not-a-jwt",
      "a.b.c",
      "",
    ];
    for (const token of tokens) {
      expect((await callWithJwt(`/api/calls/${uniqueId()}`, token)).status, token.slice(0, 40)).toBe(401);
    }
  });

  it("ignores Access JWTs when Access is not configured", async () => {
    const token = await signJwt(key, validClaims());
    const response = await callWorkerWithEnv(
      { ACCESS_TEAM_DOMAIN: undefined, ACCESS_AUDIENCE: undefined },
      `/api/calls/${uniqueId()}`,
      { headers: { "Cf-Access-Jwt-Assertion": token } },
    );
    expect(response.status).toBe(401);
  });

  it("answers 401 when the team's certs cannot be fetched", async () => {
    const token = await signJwt(key, validClaims());
    const response = await callWorkerWithEnv({ ACCESS_CERTS_URL: `${CLOSED_UPSTREAM}/certs` }, `/api/calls/${uniqueId()}`, {
      headers: { "Cf-Access-Jwt-Assertion": token },
    });
    expect(response.status).toBe(401);
  });

  it("caches the JWKS in module scope instead of fetching it per request", async () => {
    const name = `cache-${uniqueId()}`;
    const certsUrl = await publishJwks(name, [key]);
    for (let i = 0; i < 3; i++) {
      const response = await callWorkerWithEnv({ ACCESS_CERTS_URL: certsUrl }, `/api/calls/${uniqueId()}`, {
        headers: { "Cf-Access-Jwt-Assertion": await signJwt(key, validClaims()) },
      });
      expect(response.status).toBe(200);
    }
    const fetches = (await recordedRequests(`/__test/jwks/${name}`)).filter((r) => r.method === "GET");
    expect(fetches).toHaveLength(1);
  });

  it("refetches the JWKS for a new key id (rate limited) and after the TTL", async () => {
    const name = `rotate-${uniqueId()}`;
    const certsUrl = await publishJwks(name, [key]);
    const rotated = await generateSigningKey("kid-rotated");
    const options = { teamDomain: TEAM_DOMAIN, audience: AUDIENCE, certsUrl };
    const gets = async () => (await recordedRequests(`/__test/jwks/${name}`)).filter((r) => r.method === "GET").length;
    const t0 = Date.now();
    const claims = validClaims({ exp: Math.floor(t0 / 1000) + 3600 });

    expect((await verifyAccessJwt(await signJwt(key, claims), { ...options, now: t0 })).ok).toBe(true);
    await publishJwks(name, [key, rotated]);
    const rotatedToken = await signJwt(rotated, claims);

    const tooSoon = await verifyAccessJwt(rotatedToken, { ...options, now: t0 + 1000 });
    expect(tooSoon).toEqual({ ok: false, reason: "unknown_key" });
    expect(await gets()).toBe(1);

    const later = await verifyAccessJwt(rotatedToken, { ...options, now: t0 + JWKS_MIN_REFRESH_MS + 1000 });
    expect(later.ok).toBe(true);
    expect(await gets()).toBe(2);

    await verifyAccessJwt(await signJwt(key, claims), { ...options, now: t0 + JWKS_MIN_REFRESH_MS + 2000 });
    expect(await gets()).toBe(2);
    await verifyAccessJwt(await signJwt(key, claims), { ...options, now: t0 + JWKS_TTL_MS + JWKS_MIN_REFRESH_MS + 2000 });
    expect(await gets()).toBe(3);
  });

  it("backs off when a refresh fails and stops using keys past their maximum age", async () => {
    const name = `outage-${uniqueId()}`;
    const certsUrl = await publishJwks(name, [key]);
    const options = { teamDomain: TEAM_DOMAIN, audience: AUDIENCE, certsUrl };
    const gets = async () => (await recordedRequests(`/__test/jwks/${name}`)).filter((r) => r.method === "GET").length;
    const t0 = Date.now();
    const token = await signJwt(key, validClaims({ exp: Math.floor(t0 / 1000) + 2 * 3600 }));

    expect((await verifyAccessJwt(token, { ...options, now: t0 })).ok).toBe(true);
    await fetch(certsUrl, { method: "PUT", body: "<html>certs endpoint down</html>" }); // served with 200, not a JWKS

    const afterTtl = t0 + JWKS_TTL_MS + 1000;
    expect((await verifyAccessJwt(token, { ...options, now: afterTtl })).ok).toBe(true); // stale keys, still young
    expect(await gets()).toBe(2);
    expect((await verifyAccessJwt(token, { ...options, now: afterTtl + 1000 })).ok).toBe(true);
    expect(await gets()).toBe(2); // a failed refresh is not retried on every request

    const tooOld = t0 + JWKS_MAX_AGE_MS + 1000;
    expect(await verifyAccessJwt(token, { ...options, now: tooOld })).toEqual({ ok: false, reason: "unknown_key" });
    expect(await gets()).toBe(3);
  });
});

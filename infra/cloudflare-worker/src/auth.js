/** Dashboard authentication: a verified Cloudflare Access JWT, or the DASHBOARD_TOKEN bearer. */
import { log } from "./errors.js";

export const JWKS_TTL_MS = 10 * 60 * 1000;
export const JWKS_MIN_REFRESH_MS = 30 * 1000;
/** Keys older than this are never used, even when the certs endpoint cannot be reached to refresh them. */
export const JWKS_MAX_AGE_MS = 60 * 60 * 1000;
export const CLOCK_LEEWAY_SECONDS = 30;
const JWKS_FETCH_TIMEOUT_MS = 5000;
const MAX_TOKEN_LENGTH = 8192;
const RS256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Module-scope JWKS cache: certs URL -> { keys: Map<kid, CryptoKey>, fetchedAt, checkedAt (last attempt) }. */
const jwksCache = new Map();

/** True when Cloudflare Access verification has everything it needs. */
export function accessConfigured(config) {
  return Boolean(config.accessTeamDomain && config.accessAudience && config.accessCertsUrl);
}

/** True when at least one dashboard auth method is configured (otherwise the Worker fails closed). */
export function authConfigured(config) {
  return Boolean(config.dashboardToken) || accessConfigured(config);
}

/** Extracts the token from an "Authorization: Bearer <token>" header value. */
export function bearerToken(header) {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? "");
  return match ? match[1] : undefined;
}

/** Compares two strings in constant time (SHA-256 both, then compare equal-length digests). */
export async function timingSafeEqualStrings(a, b) {
  const [da, db] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(String(a))),
    crypto.subtle.digest("SHA-256", encoder.encode(String(b))),
  ]);
  if (typeof crypto.subtle.timingSafeEqual === "function") return crypto.subtle.timingSafeEqual(da, db);
  const x = new Uint8Array(da);
  const y = new Uint8Array(db);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

/** Authenticates a dashboard request; resolves to { ok: true, method } or { ok: false }. */
export async function authenticate(request, config, now = Date.now()) {
  const bearer = bearerToken(request.headers.get("Authorization"));
  if (bearer && config.dashboardToken && (await timingSafeEqualStrings(bearer, config.dashboardToken))) {
    return { ok: true, method: "dashboard_token" };
  }
  const assertion = request.headers.get("Cf-Access-Jwt-Assertion");
  if (assertion && accessConfigured(config)) {
    const result = await verifyAccessJwt(assertion, {
      teamDomain: config.accessTeamDomain,
      audience: config.accessAudience,
      certsUrl: config.accessCertsUrl,
      now,
    });
    if (result.ok) return { ok: true, method: "access_jwt" };
    log("warn", "access_jwt_rejected", { reason: result.reason });
  }
  return { ok: false };
}

/** Decodes base64url text to bytes. */
function base64UrlToBytes(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

/** Decodes a base64url JSON object, or returns undefined. */
function decodeJsonPart(text) {
  try {
    const value = JSON.parse(decoder.decode(base64UrlToBytes(text)));
    return value && typeof value === "object" && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Checks iss, aud, exp and nbf (with a small leeway); returns a failure reason or undefined. */
export function checkClaims(claims, { teamDomain, audience, now }) {
  const nowSeconds = Math.floor(now / 1000);
  if (claims.iss !== `https://${teamDomain}`) return "bad_issuer";
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(audience)) return "bad_audience";
  if (typeof claims.exp !== "number" || nowSeconds > claims.exp + CLOCK_LEEWAY_SECONDS) return "expired";
  if (claims.nbf !== undefined && (typeof claims.nbf !== "number" || claims.nbf - CLOCK_LEEWAY_SECONDS > nowSeconds)) {
    return "not_yet_valid";
  }
  return undefined;
}

/** Verifies a Cloudflare Access JWT (RS256); resolves to { ok: true, claims } or { ok: false, reason }. */
export async function verifyAccessJwt(token, { teamDomain, audience, certsUrl, now = Date.now() }) {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: "malformed" };
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((part) => /^[A-Za-z0-9_-]+$/.test(part))) {
    return { ok: false, reason: "malformed" };
  }
  const header = decodeJsonPart(parts[0]);
  const claims = decodeJsonPart(parts[1]);
  if (!header || !claims) return { ok: false, reason: "malformed" };
  if (header.alg !== "RS256") return { ok: false, reason: "bad_algorithm" };

  const key = await getVerificationKey(certsUrl, header.kid, now);
  if (!key) return { ok: false, reason: "unknown_key" };
  let valid = false;
  try {
    valid = await crypto.subtle.verify(RS256, key, base64UrlToBytes(parts[2]), encoder.encode(`${parts[0]}.${parts[1]}`));
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: "bad_signature" };

  const reason = checkClaims(claims, { teamDomain, audience, now });
  return reason ? { ok: false, reason } : { ok: true, claims };
}

/** Finds the key for a kid (or the only key when the token names none). */
function findKey(entry, kid) {
  if (kid !== undefined) return entry.keys.get(kid);
  return entry.keys.size === 1 ? entry.keys.values().next().value : undefined;
}

/**
 * Returns the verification key for kid, fetching the JWKS when missing, past its TTL, or the kid is new; fetches
 * (failed ones too) are at least JWKS_MIN_REFRESH_MS apart. Keys past JWKS_MAX_AGE_MS are not used: when the
 * endpoint stays unreachable, Access JWTs fail closed rather than being checked against keys that may be revoked.
 */
async function getVerificationKey(certsUrl, kid, now) {
  let entry = jwksCache.get(certsUrl);
  const due = !entry || now - entry.fetchedAt > JWKS_TTL_MS || !findKey(entry, kid);
  if (due && (!entry || now - entry.checkedAt > JWKS_MIN_REFRESH_MS)) {
    entry = (await fetchJwks(certsUrl, now)) ?? { keys: new Map(), fetchedAt: -Infinity, ...entry, checkedAt: now };
    jwksCache.set(certsUrl, entry);
  }
  return entry && now - entry.fetchedAt <= JWKS_MAX_AGE_MS ? findKey(entry, kid) : undefined;
}

/** Fetches and imports the team's signing keys; returns undefined (and logs) on failure. */
async function fetchJwks(certsUrl, now) {
  try {
    const response = await fetch(certsUrl, {
      headers: { Accept: "application/json" },
      signal: AbortSignal.timeout(JWKS_FETCH_TIMEOUT_MS),
    });
    if (!response.ok) {
      log("warn", "jwks_fetch_failed", { status: response.status });
      return undefined;
    }
    const body = await response.json();
    const keys = new Map();
    for (const jwk of Array.isArray(body?.keys) ? body.keys : []) {
      if (jwk?.kty !== "RSA" || (jwk.alg && jwk.alg !== "RS256") || (jwk.use && jwk.use !== "sig")) continue;
      try {
        const { kty, n, e } = jwk;
        const key = await crypto.subtle.importKey("jwk", { kty, n, e, alg: "RS256", ext: true }, RS256, false, ["verify"]);
        keys.set(jwk.kid ?? `key-${keys.size}`, key);
      } catch {
        log("warn", "jwks_key_skipped", { kid: String(jwk.kid ?? "") });
      }
    }
    return { keys, fetchedAt: now, checkedAt: now };
  } catch (err) {
    log("warn", "jwks_fetch_failed", { error: err?.name ?? "Error" });
    return undefined;
  }
}

/** Test helpers for Cloudflare Access JWTs: RSA keys via WebCrypto, JWKS published on the fake upstream. */
import { UPSTREAM } from "./helpers.js";

export const TEAM_DOMAIN = "testteam.cloudflareaccess.com";
export const AUDIENCE = "test-aud-0123456789";
const RS256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
const encoder = new TextEncoder();

/** Encodes bytes or text as base64url. */
export function base64Url(input) {
  const bytes = typeof input === "string" ? encoder.encode(input) : new Uint8Array(input);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Generates an RS256 key pair tagged with a kid. */
export async function generateSigningKey(kid) {
  const pair = await crypto.subtle.generateKey(
    { ...RS256, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ["sign", "verify"],
  );
  const publicJwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
  return { kid, privateKey: pair.privateKey, jwk: { kid, kty: "RSA", alg: "RS256", use: "sig", n: publicJwk.n, e: publicJwk.e } };
}

/** Publishes keys as a JWKS under a name on the fake upstream; returns its certs URL. */
export async function publishJwks(name, keys) {
  const url = `${UPSTREAM}/__test/jwks/${name}`;
  const response = await fetch(url, { method: "PUT", body: JSON.stringify({ keys: keys.map((k) => k.jwk) }) });
  if (!response.ok) throw new Error(`publishing JWKS failed: ${response.status}`);
  return url;
}

/** Claims of a currently valid Access token; overrides replace or (when undefined) remove claims. */
export function validClaims(overrides = {}) {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: `https://${TEAM_DOMAIN}`,
    aud: [AUDIENCE],
    sub: "operator-1",
    email: "operator@example.com",
    iat: now - 5,
    nbf: now - 5,
    exp: now + 300,
    ...overrides,
  };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete claims[key];
  return claims;
}

/** Signs claims with a key (header overrides allow bad alg/kid cases). */
export async function signJwt(key, claims, headerOverrides = {}) {
  const header = { alg: "RS256", kid: key.kid, typ: "JWT", ...headerOverrides };
  const signingInput = `${base64Url(JSON.stringify(header))}.${base64Url(JSON.stringify(claims))}`;
  const signature = await crypto.subtle.sign(RS256, key.privateKey, encoder.encode(signingInput));
  return `${signingInput}.${base64Url(signature)}`;
}

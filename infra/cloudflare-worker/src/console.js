/**
 * The operator console (infra/console/public) as Workers static assets under /console/, behind the same
 * authentication as /api: a verified Cloudflare Access JWT (Access adds Cf-Access-Jwt-Assertion to every request
 * after the operator signs in) or the dashboard bearer. The page then calls /api on this same origin; the control
 * token stays in the Worker. Assets are only ever served through here (run_worker_first), never straight from the
 * asset store, so nothing of the console is public.
 */
import { authConfigured, authenticate } from "./auth.js";
import { log } from "./errors.js";

/** Self only: no inline script or style, no framing, nothing fetched from another origin. */
export const CONSOLE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join("; ");

const ASSET_PATH = /^\/console\/((?:[A-Za-z0-9_-]+\/)*[A-Za-z0-9_-]+\.(?:html|css|js|svg|json))$/;

/** True for the console's paths. */
export function isConsolePath(pathname) {
  return pathname === "/console" || pathname.startsWith("/console/");
}

/** Adds the console's security headers to a response. */
export function withConsoleHeaders(response, extra = {}) {
  const headers = new Headers(response.headers);
  headers.set("Content-Security-Policy", CONSOLE_CSP);
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("X-Frame-Options", "DENY");
  headers.set("Referrer-Policy", "no-referrer");
  headers.set("Cache-Control", "no-store");
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

function page(status, title, text, extra = {}) {
  const html = `<!doctype html><html lang="en"><meta charset="utf-8"><title>${title}</title><h1>${title}</h1><p>${text}</p></html>`;
  return withConsoleHeaders(new Response(html, { status, headers: { "Content-Type": "text/html; charset=utf-8" } }), extra);
}

/** Serves GET/HEAD /console/** to an authenticated operator; 401 page otherwise. */
export async function serveConsole(request, url, config, env) {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return page(405, "Method not allowed", "The console's pages are read with GET.", { Allow: "GET, HEAD" });
  }
  if (!authConfigured(config) || !env.ASSETS) {
    log("error", "console_not_configured", { assets: Boolean(env.ASSETS) });
    return page(503, "Console not configured", "Configure Cloudflare Access (ACCESS_TEAM_DOMAIN, ACCESS_AUDIENCE) for this Worker.");
  }
  const auth = await authenticate(request, config);
  if (!auth.ok) {
    return page(401, "Not signed in", "Open the console through Cloudflare Access (sign in with your organisation's account), then reload.");
  }
  if (url.pathname === "/console") {
    return withConsoleHeaders(new Response(null, { status: 308, headers: { Location: "/console/" } }));
  }
  const asset = url.pathname === "/console/" ? "index.html" : ASSET_PATH.exec(url.pathname)?.[1];
  if (!asset) return page(404, "Not found", "No such page in the console.");
  const stored = await env.ASSETS.fetch(new Request(new URL(`/${asset}`, url.origin), { method: request.method }));
  if (stored.status !== 200) return page(404, "Not found", "No such page in the console.");
  return withConsoleHeaders(stored);
}

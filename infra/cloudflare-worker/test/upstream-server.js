/**
 * Scriptable fake control API for the tests, run in Node by vitest's globalSetup on 127.0.0.1.
 * Behaviour is chosen by the call id's prefix so parallel tests never interfere:
 *   missing-*  -> 404 JSON (call_not_found)      slow-*    -> waits (bounded) then 200
 *   nonjson-*  -> 200 text/html                   anything else -> 200 JSON echo of method/path/query/body
 * Test hooks: PUT/GET /__test/jwks/<name> stores/serves a JWKS; GET /__test/requests?contains=X lists
 * recorded requests (method, path, query, headers, body) whose path or query contains X.
 */
import http from "node:http";

export const SLOW_RESPONSE_MS = 4000;
const MAX_RECORDED = 2000;

/** Reads a request body as text. */
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Writes a JSON response. */
function sendJson(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

/** Starts the fake upstream; resolves to { server, origin, close() }. */
export async function startUpstream() {
  const recorded = [];
  const jwks = new Map();

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const body = await readBody(req);

    if (url.pathname === "/__test/requests") {
      const needle = url.searchParams.get("contains") ?? "";
      return sendJson(res, 200, recorded.filter((r) => (r.path + r.query).includes(needle)));
    }
    const jwksMatch = /^\/__test\/jwks\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
    if (jwksMatch && req.method === "PUT") {
      jwks.set(jwksMatch[1], body);
      return sendJson(res, 200, { ok: true });
    }

    recorded.push({ method: req.method, path: url.pathname, query: url.search, headers: req.headers, body });
    if (recorded.length > MAX_RECORDED) recorded.shift();

    if (jwksMatch) {
      const stored = jwks.get(jwksMatch[1]);
      if (!stored) return sendJson(res, 404, { error: "no such jwks" });
      res.writeHead(200, { "Content-Type": "application/json" });
      return res.end(stored);
    }

    const callMatch = /^\/control\/calls\/([^/]+)/.exec(url.pathname);
    const callId = callMatch ? decodeURIComponent(callMatch[1]) : "";
    if (callId.startsWith("missing-")) {
      return sendJson(res, 404, { ok: false, error: { code: "call_not_found", message: `No call ${callId}` } });
    }
    if (callId.startsWith("nonjson-")) {
      res.writeHead(200, { "Content-Type": "text/html" });
      return res.end("<html><body>gateway says hi</body></html>");
    }
    if (callId.startsWith("slow-")) {
      const timer = setTimeout(() => {
        if (!res.destroyed) sendJson(res, 200, { ok: true, slow: true });
      }, SLOW_RESPONSE_MS);
      res.on("close", () => clearTimeout(timer));
      return;
    }
    return sendJson(res, 200, {
      ok: true,
      echo: { method: req.method, path: url.pathname, query: url.search, body },
    });
  });

  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Finds a loopback port with nothing listening (bind, note the port, close). */
export async function closedPortOrigin() {
  const probe = http.createServer();
  await new Promise((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return `http://127.0.0.1:${port}`;
}

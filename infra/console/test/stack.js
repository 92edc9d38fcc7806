/**
 * The real local stack for the browser tests: the shaded jar (built by the Maven reactor) in a child process, on a
 * free port, with the simulator playing the console-demo scenario. Calls are placed the way OpenAI places them: a
 * signed realtime.call.incoming webhook (Standard Webhooks) to the stack's webhook route.
 */
import { spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, "../../..");
export const TARGET = resolve(here, "../target");
const JAR = join(REPO, "infra/local-stack/target/local-stack.jar");
const START_TIMEOUT_MS = 90_000;

/** Resolves once the stack says it is serving; rejects with its output if it does not within the deadline. */
export async function startStack(extraEnv = {}) {
  if (!existsSync(JAR)) {
    throw new Error(`${JAR} is missing: build it first (./mvnw -pl infra/local-stack -am -DskipTests package)`);
  }
  mkdirSync(TARGET, { recursive: true });
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin/java") : "java";
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(OPENAI_|AWS_|TWILIO_|DISCORD_|HUMAN_AGENT|TRANSFER_|CONTROL_|CALLS_)/.test(name)) delete env[name];
  }
  Object.assign(env, {
    PORT: "0",
    LOCAL_STACK_NO_DEMO: "true",
    LOCAL_STACK_SCENARIO: "console-demo",
    LOCAL_STACK_LOG: join(TARGET, "local-stack.log"),
    LOCAL_STACK_STATE_DIR: join(TARGET, "state"),
    CONSOLE_DIR: resolve(here, "../public"),
    // answer every command at once with 202 pending, so the page must follow each one until the worker ends it
    CONTROL_ACK_TIMEOUT_MS: "0",
    ...extraEnv,
  });
  const child = spawn(java, ["--enable-native-access=ALL-UNNAMED", "-jar", JAR], {
    cwd: REPO, env, stdio: ["ignore", "pipe", openSync(join(TARGET, "local-stack.err"), "w")],
  });
  let output = "";
  const ready = new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`local stack did not start in time:\n${redact(output)}`)), START_TIMEOUT_MS);
    child.stdout.on("data", (chunk) => {
      output += chunk;
      if (/serving on port \d+/.test(output)) {
        clearTimeout(timer);
        resolvePromise();
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`local stack exited (${code}):\n${redact(output)}`));
    });
  });
  try {
    await ready;
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  const base = /local stack: serving on port (\d+)/.exec(output);
  const printedLogin = /^\s+console\s+(\S+)/m.exec(output)?.[1];
  let token;
  let secret;
  try {
    // the generated secrets are in the state directory's credentials file, never on the console
    const credentials = readCredentials(join(TARGET, "state", "credentials.env"));
    token = credentials.CONTROL_API_TOKEN;
    secret = credentials.OPENAI_WEBHOOK_SECRET;
  } finally {
    if (!base || !token || !secret || !printedLogin) child.kill("SIGKILL"); // else it outlives the failed suite
  }
  if (!base || !token || !secret || !printedLogin) throw new Error(`unexpected local stack output:\n${redact(output)}`);
  const origin = `http://127.0.0.1:${base[1]}`;
  return {
    origin,
    printedLogin,
    token,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return; // already stopped (a test may stop it)
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
    /** A fresh one-time login link (what the run command prints). */
    async loginUrl() {
      const response = await fetch(`${origin}/console/login-codes`, { method: "POST", headers: { Authorization: `Bearer ${token}` } });
      if (response.status !== 201) throw new Error(`login code: HTTP ${response.status}`);
      return origin + (await response.json()).loginPath;
    },
    /** The control API itself, with the token (for checks the page cannot make). */
    async control(path) {
      const response = await fetch(`${origin}/control${path}`, { headers: { Authorization: `Bearer ${token}` } });
      return { status: response.status, body: await response.json() };
    },
    placeCall: (from, to) => placeCall(origin, secret, from, to),
  };
}

/** The {@code export NAME='value'} lines the local stack writes for other scripts. */
function readCredentials(path) {
  const values = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = /^export ([A-Z_]+)='((?:[^']|'\\'')*)'$/.exec(line);
    if (match) values[match[1]] = match[2].replaceAll("'\\''", "'");
  }
  return values;
}

/** Sends a signed realtime.call.incoming webhook; resolves to the new call id. */
async function placeCall(origin, secret, from, to) {
  const callId = `rtc_${randomBytes(16).toString("hex")}`;
  const id = `evt_${randomBytes(12).toString("hex")}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({
    object: "event", id, type: "realtime.call.incoming", created_at: timestamp,
    data: { call_id: callId, sip_headers: [
      { name: "From", value: `sip:${from}@sip.example.com` }, { name: "To", value: `sip:${to}@sip.example.com` },
      { name: "Call-ID", value: `${randomBytes(8).toString("hex")}@10.0.0.1` },
      { name: "X-conferenceName", value: `CF${randomBytes(16).toString("hex")}` },
    ] },
  });
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const signature = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
  const response = await fetch(`${origin}/openai/webhook`, {
    method: "POST", body,
    headers: { "Content-Type": "application/json", "webhook-id": id, "webhook-timestamp": String(timestamp),
      "webhook-signature": `v1,${signature}` },
  });
  if (!response.ok) throw new Error(`webhook answered ${response.status}`);
  return callId;
}

function redact(text) {
  return text.replace(/Bearer [^' ]+/g, "Bearer <redacted>").replace(/whsec_\S+/g, "whsec_<redacted>")
    .replace(/code=[0-9a-f]+/g, "code=<redacted>");
}

/** Polls until check() returns a truthy value or the deadline passes. */
export async function until(what, check, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

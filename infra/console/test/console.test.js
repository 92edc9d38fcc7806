/**
 * The operator console in real Chromium against the real local stack, with the simulator playing console-demo:
 * a scripted call shows up live, its transcript streams in order, the operator's instructions, transfer and hang-up
 * change the call and end in "done" (each first "pending": the stack answers commands with 202), exports carry the
 * transcript, a line with markup renders as text and runs nothing, and nothing is served without a session.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { launchBrowser } from "./browser.js";
import { startStack, TARGET, until } from "./stack.js";

const SHOTS = join(TARGET, "screenshots");
const CALLER = "+14255551212";
const DIALLED = "+18005551212";

let stack;
let browser;
let page;
let callId;
const pageErrors = [];

/** Watches an action's state line until it says done (or failed); returns the states it showed, in order. */
async function statesUntilSettled(state, timeoutMs = 30_000) {
  const seen = [];
  await until("the action to settle", async () => {
    const now = await state.getAttribute("data-state");
    if (now !== "idle" && seen.at(-1) !== now) seen.push(now);
    return now === "done" || now === "failed";
  }, timeoutMs);
  // "sent" lasts as long as the request, so it may come and go between two looks
  return seen.filter((word) => word !== "sent");
}

async function shot(name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

describe("operator console", { timeout: 240_000 }, () => {
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    stack = await startStack();
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? await browser.context.newPage();
    page.on("pageerror", (error) => pageErrors.push(String(error)));
    page.on("response", (response) => {
      // 401 before signing in and the 403/409 the tests provoke are expected; anything else is a broken page
      if (response.status() >= 400 && ![401, 403, 409].includes(response.status())) {
        pageErrors.push(`${response.status()} ${response.url()}`);
      }
    });
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test("refuses every console and API path without a session, and a login link works once", async () => {
    const anonymous = await fetch(`${stack.origin}/console/`);
    assert.equal(anonymous.status, 401);
    assert.match(await anonymous.text(), /Not signed in/);
    assert.equal((await fetch(`${stack.origin}/console/js/main.js`)).status, 401);
    assert.equal((await fetch(`${stack.origin}/api/calls`)).status, 401);
    const forged = await fetch(`${stack.origin}/api/calls/rtc_x/actions/hangup`, {
      method: "POST", headers: { Cookie: "console_session=forged", "Content-Type": "application/json" }, body: "{}" });
    assert.equal(forged.status, 401);
    assert.equal((await fetch(`${stack.origin}/console/login?code=nope`, { redirect: "manual" })).status, 401);

    const response = await page.goto(`${stack.origin}/console/`);
    assert.equal(response.status(), 401);
    assert.match(await page.textContent("h1"), /Not signed in/);

    const login = await stack.loginUrl();
    await page.goto(login);
    await page.waitForSelector("#live-title");
    const cookies = await browser.context.cookies();
    const session = cookies.find((c) => c.name === "console_session");
    assert.ok(session?.httpOnly, "the session cookie is HttpOnly");
    assert.equal(session.sameSite, "Strict");
    assert.equal(await page.evaluate(() => document.cookie), "", "the page's script cannot read the session");
    const reused = await fetch(login, { redirect: "manual" });
    assert.equal(reused.status, 401, "a login link works once");

    const csp = (await page.request.get(`${stack.origin}/console/`)).headers()["content-security-policy"];
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    const foreign = await page.request.post(`${stack.origin}/api/calls/rtc_x/actions/hangup`, {
      headers: { Origin: "https://evil.example", "Content-Type": "application/json" }, data: "{}" });
    assert.equal(foreign.status(), 403, "a state-changing request from another origin is refused");
  });

  test("an empty live list says so, then the scripted call appears in it", async () => {
    await page.goto(`${stack.origin}/console/#/live`);
    await page.getByText("No live calls right now").waitFor();
    callId = await stack.placeCall(CALLER, DIALLED);
    const row = page.locator(`tr[data-call-id="${callId}"]`);
    await row.waitFor({ timeout: 30_000 });
    await until("the worker to attach", async () => (await row.textContent()).includes("in progress"), 30_000);
    const text = await row.textContent();
    assert.match(text, /\+•••••••1212/, "numbers are masked by default");
    assert.ok(!text.includes(CALLER));
    assert.match(text, /inbound/);
    await until("the last line", async () => (await row.locator(".last-line").textContent()).includes("42."), 30_000);
    await shot("live-calls");
  });

  test("call detail streams the transcript in order and renders markup as text", async () => {
    // by keyboard: the call's link takes focus and Enter opens it
    await page.locator(`tr[data-call-id="${callId}"] a`).focus();
    await page.keyboard.press("Enter");
    await page.waitForSelector("#call-title");
    const lines = page.locator(".chat .msg-text");
    await until("the first four lines", async () => (await lines.count()) >= 3);
    const markup = page.locator(".chat .msg-caller .msg-text", { hasText: "onerror" });
    await markup.waitFor();
    const shown = await markup.textContent();
    assert.ok(shown.includes(`<img src=x onerror="window.__xss='img'">`), shown);
    assert.ok(shown.includes("</script><script>window.__xss='script'</script>"), shown);
    assert.equal(await page.locator(".chat img, .chat script").count(), 0, "no element was made from the line");
    assert.equal(await page.evaluate(() => window.__xss), undefined, "nothing ran");
    // the greeting, then the script's lines, in the order they were said
    assert.deepEqual(await page.locator(".chat .speaker").allTextContents(), ["Agent", "Caller", "Agent", "Caller"]);
  });

  test("live instructions go pending, then done; each new stored turn shows within a second, in order", async () => {
    const known = (await stack.control(`/calls/${callId}`)).body.turnsAfter;
    await page.getByLabel("Instructions for the agent").fill("The caller is a returning customer: thank them.");
    await page.getByRole("button", { name: "Send instructions" }).click();
    const state = page.locator("#instructions-title ~ .action-state");
    assert.equal(await page.getByRole("button", { name: "Send instructions" }).isDisabled(), true);
    const states = statesUntilSettled(state);

    // watch the table through the control API: every turn stored from now on must be on the page within 1 s
    const latencies = [];
    let after = known;
    let last = "";
    while (last !== "Let me see who is available.") {
      const fresh = await until("a new stored turn", async () => {
        const { body } = await stack.control(`/calls/${callId}?turnsAfter=${after}`);
        return body.turns.length > 0 ? body.turns : null;
      }, 20_000);
      for (const turn of fresh) {
        const storedSeenAt = Date.now();
        await page.locator(`.chat .msg[data-seq="${turn.seq}"]`).waitFor({ timeout: 1000 });
        latencies.push(Date.now() - storedSeenAt);
        after = turn.seq;
        last = turn.text;
      }
    }
    assert.deepEqual(await states, ["pending", "done"]);
    console.log(`stored turn -> shown in the page: ${latencies.join(", ")} ms (max ${Math.max(...latencies)} ms)`);

    const texts = await page.locator(".chat .msg-text").allTextContents();
    const order = ["The caller is a returning customer: thank them.",
      "Thank you for being a loyal customer. Let me look that up.", "Great. Can I also talk to a person?",
      "Let me see who is available."].map((line) => texts.indexOf(line));
    assert.ok(order.every((index, i) => index >= 0 && (i === 0 || index > order[i - 1])), `in order: ${order}`);
    const seqs = (await page.locator(".chat .msg[data-seq]").evaluateAll((items) =>
      items.map((item) => item.dataset.seq).filter((seq) => seq !== "").map(Number)));
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), "turns in seq order");
    await shot("call-detail");
  });

  test("transfer shows pending then done, and a second transfer follows the first instead of dialling", async () => {
    await until("targets", async () => (await page.locator("select[name=target] option").first().textContent()).includes("human"));
    assert.match(await page.locator("select[name=target]").textContent(), /human \(warm, \+•••••••0006\)/);
    await page.getByLabel("Reason", { exact: true }).first().fill("caller asked for a person");
    // read back in the transcript: a new line must not yank the view down, but offer "Jump to latest"
    await page.setViewportSize({ width: 1366, height: 420 });
    const chat = page.locator(".chat");
    await chat.evaluate((list) => { list.scrollTop = 0; });
    assert.ok(await chat.evaluate((list) => list.scrollHeight > list.clientHeight + 100), "the chat scrolls");
    const button = page.getByRole("button", { name: "Transfer", exact: true });
    await button.click();
    assert.equal(await button.isDisabled(), true, "no second transfer while one runs");
    const state = page.locator("#transfer-title ~ .action-state");
    assert.deepEqual(await statesUntilSettled(state), ["pending", "done"]);
    await until("the command event", async () =>
      (await page.locator(".timeline").textContent()).includes("Operator transfer done"), 10_000);
    const jump = page.getByRole("button", { name: /Jump to latest \(\d+ new\)/ });
    await jump.waitFor();
    assert.equal(await chat.evaluate((list) => list.scrollTop), 0, "the reader's place was kept");
    await jump.click();
    await until("the latest line in view", () => chat.evaluate((list) =>
      list.scrollHeight - list.scrollTop - list.clientHeight < 48));
    assert.equal(await jump.isVisible(), false);
    await page.setViewportSize({ width: 1366, height: 900 });
    await button.click();
    await until("the second transfer's answer", async () => (await state.textContent()).includes("Another transfer"), 10_000);
    await until("it ends", async () => (await state.getAttribute("data-state")) === "done", 10_000);
    const { body } = await stack.control(`/calls/${callId}?eventsLimit=200`);
    assert.equal(body.events.filter((e) => e.kind === "transfer").length, 1, "the human was dialled once");
  });

  test("export JSON and CSV contain the transcript", async () => {
    const [json] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export JSON" }).click()]);
    const exported = JSON.parse(readFileSync(await json.path(), "utf8"));
    assert.equal(exported.call.callId, callId);
    assert.ok(exported.transcript.some((l) => l.text === "Let me see who is available." && l.speaker === "agent"));
    assert.ok(exported.turns.some((t) => t.text.includes("onerror")));
    const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    assert.equal(csv.suggestedFilename(), `call-${callId}.csv`);
    const text = readFileSync(await csv.path(), "utf8");
    assert.match(text, /^"seq","time","speaker","text"\r\n/);
    assert.ok(text.includes('"Great. Can I also talk to a person?"'));
    assert.ok(text.includes(`"It is <img src=x onerror=""window.__xss='img'""> and`));
  });

  test("hang-up asks for confirmation, is done, and the call ends", async () => {
    const hangUp = page.getByRole("button", { name: "Hang up…" });
    await hangUp.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("dialog").waitFor();
    await shot("hangup-confirmation");
    await page.keyboard.press("Escape");
    await page.getByRole("dialog").waitFor({ state: "hidden" });
    assert.equal(await hangUp.evaluate((button) => document.activeElement === button), true, "focus returns to the button");
    assert.equal(await page.locator(".call-head").textContent().then((t) => t.includes("ended")), false);
    await page.getByRole("button", { name: "Hang up…" }).click();
    await page.getByRole("dialog").getByLabel("Reason").fill("done in the console test");
    await page.getByRole("button", { name: "Hang up now" }).click();
    const state = page.locator("#hangup-box-title ~ .action-state");
    // with a zero ack window the control side itself hangs up a call whose worker has not taken the command (done at
    // once), unless the worker claimed it first (pending, then done): either way the page ends on done
    const states = await statesUntilSettled(state);
    assert.equal(states.at(-1), "done", `states: ${states}`);
    assert.ok(states.every((word) => word === "pending" || word === "done"), `states: ${states}`);
    await until("the call to end", async () => (await page.locator(".call-head").textContent()).includes("ended"), 20_000);
    await page.getByText("Actions (the call has ended").waitFor();
    assert.equal(await page.getByRole("button", { name: "Send instructions" }).isDisabled(), true);
    const stored = await stack.control(`/calls/${callId}`);
    assert.equal(stored.body.call.status, "ENDED");
    await shot("call-ended");
  });

  test("the ended call shows its post-call summary, as text", async () => {
    const summary = page.locator(".call-summary[data-status=done]");
    await summary.waitFor({ timeout: 30_000 });
    const stored = await stack.control(`/calls/${callId}`);
    assert.equal(stored.body.call.summary.status, "done");
    assert.equal(await summary.locator(".summary-text").textContent(), stored.body.call.summary.summary);
    assert.ok((await summary.textContent()).includes(`Reason${stored.body.call.summary.reason}`));
    assert.ok((await summary.textContent()).includes(`Sentiment${stored.body.call.summary.sentiment}`));
    assert.equal(await summary.locator("img, script").count(), 0, "markup in the summary stays text");
    await shot("call-summary");
  });

  test("recent calls finds the call by number and end reason, and opens it", async () => {
    await page.goto(`${stack.origin}/console/#/recent`);
    await page.getByLabel("Number", { exact: true }).fill("4255551212");
    await page.getByRole("button", { name: "Search" }).click();
    const row = page.locator(`tr[data-call-id="${callId}"]`);
    await row.waitFor();
    await shot("recent-calls");
    await page.getByLabel("Number", { exact: true }).fill("999999");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByText("No calls match").waitFor();
    await page.getByLabel("Number", { exact: true }).fill("");
    await page.getByLabel("End reason").fill("caller_hung_up");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByText("No calls match").waitFor();
    await page.getByLabel("End reason").fill("operator_hangup");
    await page.getByRole("button", { name: "Search" }).click();
    await row.locator("a").click();
    await page.waitForSelector("#call-title");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator(".chat .msg").first().waitFor();
    await shot("call-detail-phone");
    await page.setViewportSize({ width: 1366, height: 900 });
  });

  test("says what to do when the session is gone or the API cannot be reached", async () => {
    await page.goto(`${stack.origin}/console/#/live`);
    await page.getByText(/live · updated/).waitFor();
    await browser.context.clearCookies();
    await page.getByText("You are not signed in").waitFor({ timeout: 10_000 });
    assert.match(await page.locator(".state-error").textContent(), /Sign in again/);
    await stack.stop();
    await page.getByText("The control API is unreachable").waitFor({ timeout: 10_000 });
    await shot("api-unreachable");
  });

  test("the pages raised no script errors", () => {
    assert.deepEqual(pageErrors, []);
  });
});

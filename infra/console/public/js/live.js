/** Live calls: every call not yet ended, refreshed every 2 s, durations ticking every second. */
import { api, describeReadError } from "./api.js";
import { el, replace, stateMessage } from "./dom.js";
import { direction, duration, party, statusText, time } from "./format.js";
import { poll } from "./poller.js";

const REFRESH_MS = 2000;

export function mountLive(main) {
  const status = el("p", { class: "muted", role: "status", "aria-live": "polite" });
  const body = el("div", { class: "table-wrap" }, stateMessage("loading", "Loading live calls…"));
  replace(main, el("section", { "aria-labelledby": "live-title" },
    el("div", { class: "page-head" }, el("h1", { id: "live-title" }, "Live calls"), status), body));

  /** callId -> { turnCount, text, speaker } so a call's last line is read again only when it has a new one. */
  const lastLines = new Map();
  let calls = [];

  async function lastLine(call) {
    const known = lastLines.get(call.callId);
    if (known && known.turnCount === call.turnCount) return known;
    if (!call.turnCount) return { turnCount: 0, text: "", speaker: "" };
    try {
      const { body: detail } = await api.get(
        `/calls/${call.callId}?turnsAfter=${call.turnCount - 2}&turnsLimit=1&eventsLimit=1`);
      const turn = detail.turns?.[0];
      const line = { turnCount: call.turnCount, text: turn?.text ?? "", speaker: turn?.speaker ?? "" };
      lastLines.set(call.callId, line);
      return line;
    } catch {
      return known ?? { turnCount: 0, text: "", speaker: "" };
    }
  }

  function render() {
    if (calls.length === 0) {
      replace(body, stateMessage("empty", "No live calls right now",
        "Calls appear here within two seconds of being answered. Recent calls are under “Recent calls”."));
      return;
    }
    const rows = calls.map((call) => {
      const line = lastLines.get(call.callId);
      return el("tr", { dataset: { callId: call.callId } },
        el("td", {}, el("a", { href: `#/calls/${call.callId}`, "aria-label": `Open call from ${party(call.from)}` },
          party(call.from))),
        el("td", {}, party(call.to)),
        el("td", {}, el("span", { class: `badge badge-${call.status.toLowerCase()}` }, statusText(call.status))),
        el("td", {}, direction(call)),
        el("td", { class: "when" }, time(call.createdAt)),
        el("td", { class: "num", dataset: { since: call.createdAt ?? "" } }, duration(call.createdAt)),
        el("td", {}, call.owner ?? "—"),
        el("td", { class: "last-line" }, line?.text ? [el("span", { class: "who" }, `${line.speaker}: `), line.text] : "—"));
    });
    replace(body, el("table", { class: "calls" },
      el("caption", { class: "sr-only" }, "Calls in progress, newest first"),
      el("thead", {}, el("tr", {}, ["From", "To", "Status", "Direction", "Started", "Duration", "Worker", "Last line"]
        .map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows)));
  }

  const refresher = poll(async () => {
    try {
      const { body: list } = await api.get("/calls?status=live&limit=100");
      calls = list.calls ?? [];
      await Promise.all(calls.map(lastLine));
      render();
      status.textContent = `${calls.length} live · updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      const [title, advice] = describeReadError(error);
      replace(body, stateMessage("error", title, advice));
      status.textContent = "";
    }
  }, REFRESH_MS);

  const ticker = setInterval(() => {
    for (const cell of body.querySelectorAll("td[data-since]")) cell.textContent = duration(cell.dataset.since);
  }, 1000);

  return () => {
    refresher.stop();
    clearInterval(ticker);
  };
}

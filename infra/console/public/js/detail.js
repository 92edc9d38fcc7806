/**
 * One call: header (with the post-call summary once there is one), the transcript as a chat (caller / agent / system / operator), the events timeline, exports and,
 * while the call is live, the actions. Live calls are read incrementally every 400 ms (turns after the last seq,
 * events after the last id), so a stored line shows within a second without re-reading the call.
 */
import { actionsPanel } from "./actions.js";
import { api, describeReadError } from "./api.js";
import { append, el, replace, stateMessage } from "./dom.js";
import { clock, direction, duration, party, SPEAKERS, statusText, time } from "./format.js";
import { download, transcriptCsv } from "./export.js";
import { poll } from "./poller.js";

const LIVE_REFRESH_MS = 400;
const PAGE = 200;
/** Events are keyed by time; a slightly late write with an earlier time is caught by re-reading this far back. */
const EVENT_LOOKBACK_MS = 3000;
const NEAR_BOTTOM_PX = 48;

function eventSummary(event) {
  const d = event.details ?? {};
  switch (event.kind) {
    case "tool_call": return `Tool ${d.name ?? "?"} called ${d.arguments ?? ""}`;
    case "tool_result": return `Tool ${d.name ?? ""} answered${d.ok === false ? " (failed)" : ""} ${d.output ?? d.result ?? ""}`;
    case "command": return `Operator ${d.type ?? "command"} ${d.outcome ?? ""}${d.code ? ` (${d.code})` : ""}`;
    case "instructions": return `Live instructions delivered${d.respond ? ", agent responds now" : ""}`;
    case "hangup": return `Hang-up: ${d.reason ?? ""}`;
    case "transfer": return `Transfer to ${d.target ?? "?"} (${d.mode ?? "?"}) ${d.ok === false ? "failed" : "started"}`
      + `${d.source ? ` by the ${d.source === "operator" ? "operator" : "agent"}` : ""}${d.reason ? `: ${d.reason}` : ""}`;
    case "reattached": return "The worker re-attached to the call";
    case "dtmf": return `Keypad: ${d.digit ?? ""}`;
    default: {
      const text = JSON.stringify(d);
      return text === "{}" ? event.kind : `${event.kind} ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`;
    }
  }
}

/** The post-call summary under the header: being written, the model's fields, or why there is none. */
function summaryView(summary) {
  if (!summary) return null;
  const box = el("section", { class: "call-summary", "aria-label": "Summary", dataset: { status: summary.status } });
  if (summary.status === "pending") {
    return append(box, [el("p", { class: "muted" }, "Summary: being written…")]);
  }
  if (summary.status !== "done") {
    return append(box, [el("p", { class: "muted" }, `No summary (${summary.status}${summary.error ? `: ${summary.error}` : ""})`)]);
  }
  const followUp = summary.followUpNeeded ? (summary.followUp || "needed") : "none";
  return append(box, [
    el("p", { class: "summary-text" }, summary.summary),
    el("dl", { class: "facts" },
      el("div", {}, el("dt", {}, "Reason"), el("dd", {}, summary.reason)),
      el("div", {}, el("dt", {}, "Outcome"), el("dd", {}, (summary.outcome ?? "").replaceAll("_", " "))),
      el("div", {}, el("dt", {}, "Follow-up"), el("dd", {}, followUp)),
      el("div", {}, el("dt", {}, "Sentiment"), el("dd", {}, summary.sentiment)))]);
}

/** An event id a few seconds before this one ("<13-digit ms>#000000"). */
function lookback(eventId) {
  const ms = Number(eventId.split("#")[0]) - EVENT_LOOKBACK_MS;
  return `${String(Math.max(0, ms)).padStart(13, "0")}#000000`;
}

export function mountDetail(main, callId) {
  const header = el("div", { class: "call-head" }, stateMessage("loading", "Loading the call…"));
  const chat = el("ol", { class: "chat", role: "log", "aria-live": "polite", "aria-label": "Transcript", tabindex: 0 });
  const chatEmpty = el("p", { class: "muted chat-empty" }, "No transcript yet. Lines appear here as they are said.");
  const jump = el("button", { type: "button", class: "jump", hidden: true }, "Jump to latest");
  const timeline = el("ol", { class: "timeline", "aria-label": "Events" });
  const timelineEmpty = el("p", { class: "muted" }, "No events yet (tool calls, transfers, commands, re-attaches).");
  const liveState = el("p", { class: "muted", role: "status" });
  const actionsSlot = el("div", { class: "actions-slot" });
  const exportJson = el("button", { type: "button", class: "secondary" }, "Export JSON");
  const exportCsv = el("button", { type: "button", class: "secondary" }, "Export CSV");

  replace(main, el("article", { class: "detail", "aria-labelledby": "call-title" },
    el("p", {}, el("a", { href: "#/live" }, "← Live calls"), " · ", el("a", { href: "#/recent" }, "Recent calls")),
    header,
    el("div", { class: "detail-grid" },
      el("section", { class: "transcript", "aria-labelledby": "transcript-title" },
        el("div", { class: "section-head" }, el("h2", { id: "transcript-title" }, "Transcript"),
          el("div", { class: "actions-row" }, exportJson, exportCsv)),
        el("div", { class: "chat-wrap" }, chatEmpty, chat, jump), liveState),
      el("aside", { class: "side" }, actionsSlot,
        el("section", { "aria-labelledby": "events-title" }, el("h2", { id: "events-title" }, "Events"), timelineEmpty, timeline)))));

  let call = null;
  const turns = new Map(); // seq -> turn
  const events = new Map(); // id -> event
  const operatorLines = new Map(); // commandId -> { ts, text }
  let turnsAfter = -1;
  let eventsAfter = null;
  let loaded = false;
  let alive = true;
  let actions = null;
  let unseen = 0;

  const nearBottom = () => chat.scrollHeight - chat.scrollTop - chat.clientHeight < NEAR_BOTTOM_PX;
  const scrollToLatest = () => {
    chat.scrollTop = chat.scrollHeight;
    unseen = 0;
    jump.hidden = true;
  };
  jump.addEventListener("click", () => {
    scrollToLatest();
    chat.focus();
  });
  chat.addEventListener("scroll", () => {
    if (nearBottom()) {
      unseen = 0;
      jump.hidden = true;
    }
  });

  /** Places a chat line by time (turns also by seq), so operator lines sit where they happened. */
  function addChatLine(key, speaker, text, ts, seq) {
    const stick = nearBottom();
    const item = el("li", { class: `msg msg-${speaker}`, dataset: { key, ts: ts ?? "", seq: seq ?? "" } },
      el("div", { class: "msg-meta" }, el("span", { class: "speaker" }, SPEAKERS[speaker] ?? speaker),
        el("time", { datetime: ts ?? "" }, clock(ts))),
      el("p", { class: "msg-text" }, text ?? ""));
    const after = [...chat.children].find((other) => {
      const otherTs = other.dataset.ts;
      if (seq !== undefined && other.dataset.seq !== "") return Number(other.dataset.seq) > seq;
      return otherTs && ts && otherTs > ts;
    });
    chat.insertBefore(item, after ?? null);
    chatEmpty.hidden = true;
    if (!loaded || stick) {
      chat.scrollTop = chat.scrollHeight;
    } else {
      unseen += 1;
      jump.hidden = false;
      jump.textContent = `Jump to latest (${unseen} new)`;
    }
  }

  function addTurn(turn) {
    if (turns.has(turn.seq)) return;
    turns.set(turn.seq, turn);
    addChatLine(`t${turn.seq}`, turn.speaker, turn.text, turn.ts, turn.seq);
  }

  async function addEvent(event) {
    if (events.has(event.id)) return;
    events.set(event.id, event);
    const item = el("li", { class: `event event-${event.kind}`, dataset: { id: event.id } },
      el("time", { datetime: event.ts ?? "" }, clock(event.ts)), " ", el("span", { class: "event-text" }, eventSummary(event)));
    const after = [...timeline.children].find((other) => other.dataset.id > event.id);
    timeline.insertBefore(item, after ?? null);
    timelineEmpty.hidden = true;
    const commandId = event.details?.commandId;
    if (event.kind === "command" && commandId && !operatorLines.has(commandId)) {
      operatorLines.set(commandId, null);
      try {
        const { body: command } = await api.get(`/calls/${callId}/commands/${commandId}`);
        const args = command.args ?? {};
        const text = command.type === "instructions" ? args.text
          : command.type === "transfer" ? `Transfer to ${args.target ?? "the default target"}${args.reason ? ` (${args.reason})` : ""}`
            : `Hang up${args.reason ? ` (${args.reason})` : ""}`;
        operatorLines.set(commandId, { ts: command.requested_at, text, type: command.type });
        addChatLine(`c${commandId}`, "operator", text, command.requested_at);
      } catch {
        operatorLines.delete(commandId); // read again with the next event
      }
    }
  }

  function renderHeader() {
    const ended = !call.live;
    replace(header,
      el("h1", { id: "call-title" }, `Call from ${party(call.from)} to ${party(call.to)}`),
      el("dl", { class: "facts" },
        el("div", {}, el("dt", {}, "Status"), el("dd", {}, el("span", { class: `badge badge-${call.status.toLowerCase()}` }, statusText(call.status)))),
        el("div", {}, el("dt", {}, "Direction"), el("dd", {}, direction(call))),
        el("div", {}, el("dt", {}, "Started"), el("dd", {}, time(call.createdAt))),
        el("div", {}, el("dt", {}, "Duration"), el("dd", { class: "num", dataset: ended ? {} : { since: call.createdAt ?? "" } },
          duration(call.createdAt, call.endedAt))),
        el("div", {}, el("dt", {}, "Worker"), el("dd", {}, call.owner ?? "—")),
        ended ? el("div", {}, el("dt", {}, "Ended"), el("dd", {}, `${time(call.endedAt)} · ${call.endReason ?? call.failureReason ?? ""}`)) : null,
        el("div", {}, el("dt", {}, "Call id"), el("dd", { class: "mono" }, call.callId))),
      summaryView(call.summary));
  }

  function settleActions() {
    if (!call) return;
    if (call.live && !actions) {
      actions = actionsPanel(callId, () => refresher.now());
      replace(actionsSlot, actions.node);
    } else if (!call.live && actions && !actions.closedOnce) {
      actions.close(call.endReason);
      actions.closedOnce = true;
    }
  }

  async function read() {
    for (let guard = 0; guard < 50; guard++) {
      const params = new URLSearchParams({ turnsLimit: String(PAGE), eventsLimit: String(PAGE), turnsAfter: String(turnsAfter) });
      if (eventsAfter) params.set("eventsAfter", lookback(eventsAfter));
      const { body } = await api.get(`/calls/${callId}?${params}`);
      if (!alive) return;
      call = body.call;
      for (const turn of body.turns ?? []) addTurn(turn);
      for (const event of body.events ?? []) await addEvent(event);
      turnsAfter = body.turnsAfter ?? turnsAfter;
      if (body.eventsAfter && (!eventsAfter || body.eventsAfter > eventsAfter)) eventsAfter = body.eventsAfter;
      if (!body.turnsCursor && !body.eventsCursor) break; // more than a page: read on at once
    }
  }

  let endedSeenAt = 0;
  let lastSlowRead = 0;
  const refresher = poll(async () => {
    if (!alive) return;
    // after the end, read a few seconds more at full speed (the worker records the last events just after it marks
    // the call ended), then every 2 s until the summary settles: up to 2 min while it is written, 30 s for one to start
    if (endedSeenAt) {
      const summary = call?.summary?.status;
      const since = Date.now() - endedSeenAt;
      const limit = summary === "pending" ? 120_000 : summary ? 5000 : 30_000;
      if (since > limit || (since > 5000 && Date.now() - lastSlowRead < 2000)) return;
      lastSlowRead = Date.now();
    }
    try {
      await read();
      if (!alive) return;
      renderHeader();
      settleActions();
      loaded = true;
      if (!call.live && !endedSeenAt) endedSeenAt = Date.now();
      liveState.textContent = call.live ? `Live · updated ${new Date().toLocaleTimeString()}` : "The call has ended.";
    } catch (error) {
      if (!alive) return;
      const [title, advice] = describeReadError(error);
      if (!loaded) replace(header, stateMessage("error", title, advice));
      else liveState.textContent = `${title}. ${advice}`;
    }
  }, LIVE_REFRESH_MS);

  const ticker = setInterval(() => {
    for (const cell of header.querySelectorAll("dd[data-since]")) cell.textContent = duration(cell.dataset.since);
  }, 1000);

  function transcriptLines() {
    return [...chat.children].map((item) => ({
      seq: item.dataset.seq === "" ? undefined : Number(item.dataset.seq),
      ts: item.dataset.ts || undefined,
      speaker: item.classList.contains("msg-operator") ? "operator" : item.className.replace(/.*msg-/, ""),
      text: item.querySelector(".msg-text").textContent,
    }));
  }

  exportJson.addEventListener("click", () => {
    const data = { exportedAt: new Date().toISOString(), call, transcript: transcriptLines(),
      turns: [...turns.values()], events: [...events.values()] };
    download(`call-${callId}.json`, "application/json", `${JSON.stringify(data, null, 2)}\n`);
  });
  exportCsv.addEventListener("click", () => download(`call-${callId}.csv`, "text/csv", transcriptCsv(transcriptLines())));

  return () => {
    alive = false;
    refresher.stop();
    clearInterval(ticker);
  };
}

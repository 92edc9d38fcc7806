/**
 * Operator actions on a live call. Each shows its true state: sent → pending → done / failed with the reason. A
 * pending command (202) is followed until the worker finishes it; a button stays disabled while its action runs.
 * Every attempt carries its own Idempotency-Key, and a request that got no answer is asked again with the same key,
 * so a flaky network never makes the agent hang up or dial twice.
 *
 * What the control API's answers mean here:
 *   200 done — the worker carried it out; 202 pending — queued, the worker has not confirmed yet (followed);
 *   409 — refused: the call ended, no worker yet, or another transfer is in progress (that one is followed);
 *   502 — the worker tried and failed (its reason is shown); 503 — the worker could not be reached, nothing was sent.
 */
import { api } from "./api.js";
import { el, replace } from "./dom.js";

const FOLLOW_FIRST_MS = 400;
const FOLLOW_MAX_MS = 2000;
const RETRIES_WITHOUT_ANSWER = 3;

function newKey() {
  if (crypto.randomUUID) return `console-${crypto.randomUUID()}`;
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `console-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One action's state line and button, and the request/follow cycle. */
class Action {
  constructor(name, button, onSettled) {
    this.name = name;
    this.button = button;
    this.onSettled = onSettled;
    this.running = false;
    this.closed = false;
    this.stateLine = el("p", { class: "action-state", role: "status", "aria-live": "polite", dataset: { state: "idle" } });
  }

  show(state, text) {
    this.stateLine.dataset.state = state;
    replace(this.stateLine, el("span", { class: "state-word" }, state), " ", text);
  }

  async run(path, body) {
    if (this.running) return;
    this.running = true;
    this.button.disabled = true;
    const key = newKey();
    this.show("sent", "Sending…");
    try {
      const outcome = await this.send(path, body, key);
      if (outcome.pendingId) await this.follow(outcome.pendingId, outcome.pendingText);
    } finally {
      this.running = false;
      this.button.disabled = this.closed;
      this.onSettled();
    }
  }

  async send(path, body, key) {
    for (let attempt = 1; ; attempt++) {
      try {
        const { status, body: answer } = await api.post(path, body, key);
        if (status === 202) {
          return { pendingId: answer.command_id, pendingText: "Queued; waiting for the call's worker to confirm." };
        }
        this.show("done", describeResult(this.name, answer.result));
        return {};
      } catch (error) {
        if ((error.kind === "unreachable" || error.status === 504) && attempt < RETRIES_WITHOUT_ANSWER) {
          this.show("sent", "No answer yet; asking again with the same request (it never runs twice)…");
          await pause(1000 * attempt);
          continue;
        }
        if (error.code === "transfer_in_progress" && error.body?.command_id) {
          return { pendingId: error.body.command_id, pendingText: "Another transfer of this call is in progress; following it." };
        }
        this.show("failed", describeFailure(error));
        return {};
      }
    }
  }

  async follow(commandId, text) {
    this.show("pending", text);
    let wait = FOLLOW_FIRST_MS;
    for (;;) {
      await pause(wait);
      wait = Math.min(FOLLOW_MAX_MS, Math.round(wait * 1.5));
      try {
        const { body: command } = await api.get(`/calls/${this.callId}/commands/${commandId}`);
        if (command.status === "done") {
          this.show("done", describeResult(this.name, command.result));
          return;
        }
        if (command.status === "failed") {
          this.show("failed", command.error?.message ?? "The worker could not carry it out.");
          return;
        }
      } catch (error) {
        if (error.kind === "unauthorized") {
          this.show("failed", "You are no longer signed in; sign in again to see how it ended.");
          return;
        }
        this.show("pending", `${text} (could not check just now; still following)`);
      }
    }
  }
}

function describeResult(name, result) {
  const message = typeof result?.message === "string" ? result.message : typeof result === "string" ? result : "";
  const done = { transfer: "Transfer started.", hangup: "The call was hung up.", instructions: "Instructions delivered." }[name];
  return message ? `${message}.`.replace(/\.\.$/, ".") : done;
}

function describeFailure(error) {
  switch (error.code) {
    case "call_ended": return "The call has ended meanwhile.";
    case "call_not_ready": return "No worker has picked up the call yet; try again in a moment.";
    case "worker_unavailable": return "The call's worker could not be reached; nothing was sent. Try again.";
    case "unknown_target":
    case "invalid_transfer_target": return `Not a configured transfer target: ${error.message}`;
    case "unreachable": return "The control API could not be reached; the action may not have been sent. Check, then try again.";
    case "control_timeout": return "The control API did not answer in time; check the call's events before trying again.";
    default: return error.kind === "unauthorized" ? "You are not signed in; sign in again."
      : `${error.message} (${error.status} ${error.code})`;
  }
}

function labelled(label, input, hint) {
  return el("label", { class: "field" }, el("span", {}, label), input, hint ? el("small", { class: "muted" }, hint) : null);
}

/** Builds the actions panel for a call; returns { node, close() } (close: the call ended, disable everything). */
export function actionsPanel(callId, onSettled) {
  const targetSelect = el("select", { name: "target", "aria-describedby": "targets-hint" },
    el("option", { value: "" }, "Loading targets…"));
  const transferReason = el("textarea", { name: "reason", rows: 2, maxlength: 2000, placeholder: "Optional: why (kept with the command)" });
  const transferButton = el("button", { type: "submit", disabled: true }, "Transfer");
  const transfer = new Action("transfer", transferButton, onSettled);

  const instructionText = el("textarea", { name: "text", rows: 3, maxlength: 12000, required: true,
    placeholder: "e.g. Offer a callback tomorrow morning." });
  const respondNow = el("input", { type: "checkbox", name: "respond", checked: true });
  const instructionsButton = el("button", { type: "submit" }, "Send instructions");
  const instructions = new Action("instructions", instructionsButton, onSettled);

  const hangupButton = el("button", { type: "button", class: "danger" }, "Hang up…");
  const hangup = new Action("hangup", hangupButton, onSettled);
  const hangupReason = el("input", { name: "reason", type: "text", maxlength: 2000, placeholder: "Optional reason" });
  const confirmButton = el("button", { type: "submit", class: "danger", value: "confirm" }, "Hang up now");
  const dialog = el("dialog", { class: "confirm", "aria-labelledby": "hangup-title" },
    el("form", { method: "dialog" },
      el("h2", { id: "hangup-title" }, "Hang up this call?"),
      el("p", {}, "The caller is disconnected at once. This cannot be undone."),
      labelled("Reason", hangupReason),
      el("div", { class: "actions-row" }, confirmButton,
        el("button", { type: "submit", class: "secondary", value: "cancel", formnovalidate: true }, "Cancel"))));
  hangupButton.addEventListener("click", () => dialog.showModal());
  dialog.addEventListener("close", () => {
    if (dialog.returnValue === "confirm") {
      const reason = hangupReason.value.trim();
      hangup.run(`/calls/${callId}/actions/hangup`, reason ? { reason } : {});
    }
    hangupButton.focus();
  });

  for (const action of [transfer, instructions, hangup]) action.callId = callId;

  const transferForm = el("form", { class: "action", "aria-labelledby": "transfer-title" },
    el("h3", { id: "transfer-title" }, "Transfer"),
    labelled("Target", targetSelect), el("p", { id: "targets-hint", class: "muted small" }, "Only configured targets; numbers are masked."),
    labelled("Reason", transferReason), el("div", { class: "actions-row" }, transferButton), transfer.stateLine);
  transferForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = { target: targetSelect.value };
    if (transferReason.value.trim()) body.reason = transferReason.value.trim();
    transfer.run(`/calls/${callId}/actions/transfer`, body);
  });

  const instructionsForm = el("form", { class: "action", "aria-labelledby": "instructions-title" },
    el("h3", { id: "instructions-title" }, "Live instructions"),
    labelled("Instructions for the agent", instructionText),
    el("label", { class: "check" }, respondNow, " Respond now (the agent answers the caller at once)"),
    el("div", { class: "actions-row" }, instructionsButton), instructions.stateLine);
  instructionsForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = instructionText.value.trim();
    if (!text) {
      instructionText.focus();
      return;
    }
    instructions.run(`/calls/${callId}/actions/instructions`, { text, respond: respondNow.checked });
  });

  const hangupBox = el("div", { class: "action", role: "group", "aria-labelledby": "hangup-box-title" },
    el("h3", { id: "hangup-box-title" }, "End the call"), el("div", { class: "actions-row" }, hangupButton),
    hangup.stateLine, dialog);

  const legend = el("details", { class: "legend" }, el("summary", {}, "What the states mean"),
    el("dl", {},
      el("dt", {}, "sent"), el("dd", {}, "The request is on its way to the control API."),
      el("dt", {}, "pending"), el("dd", {}, "202: queued for the call's worker, which has not confirmed yet. The page follows it until it ends."),
      el("dt", {}, "done"), el("dd", {}, "200: the worker carried it out."),
      el("dt", {}, "failed"), el("dd", {}, "409: refused (the call ended, no worker yet, or another transfer is in progress); 502: the worker tried and failed; 503: the worker could not be reached and nothing was sent.")));

  const node = el("section", { class: "actions", "aria-labelledby": "actions-title" },
    el("h2", { id: "actions-title" }, "Actions"), transferForm, instructionsForm, hangupBox, legend);

  api.get("/transfer-targets").then(({ body }) => {
    const targets = body.targets ?? [];
    if (targets.length === 0) {
      replace(targetSelect, el("option", { value: "" }, "No transfer targets configured"));
      return;
    }
    replace(targetSelect, targets.map((t) => el("option", { value: t.name, selected: t.default },
      `${t.name} (${t.mode}, ${t.address})`)));
    transferButton.disabled = transfer.closed || transfer.running;
  }).catch(() => replace(targetSelect, el("option", { value: "" }, "Targets could not be loaded; reload the page")));

  return {
    node,
    close(reason) {
      for (const action of [transfer, instructions, hangup]) {
        action.closed = true;
        action.button.disabled = true;
      }
      for (const input of node.querySelectorAll("textarea, input, select")) input.disabled = true;
      if (dialog.open) dialog.close("cancel");
      node.classList.add("closed");
      node.querySelector("#actions-title").textContent = `Actions (the call has ended${reason ? `: ${reason}` : ""})`;
    },
  };
}

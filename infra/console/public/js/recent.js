/** Recent calls: ended calls, searchable by number, day range, final status and end reason; paged by cursor. */
import { api, describeReadError } from "./api.js";
import { el, replace, stateMessage } from "./dom.js";
import { direction, duration, party, statusText, time } from "./format.js";

const PAGE_SIZE = 25;

function field(label, input) {
  return el("label", { class: "field" }, el("span", {}, label), input);
}

export function mountRecent(main) {
  const number = el("input", { name: "number", type: "search", inputmode: "tel", autocomplete: "off", placeholder: "e.g. 5551212" });
  const since = el("input", { name: "since", type: "date" });
  const until = el("input", { name: "until", type: "date" });
  const callStatus = el("select", { name: "callStatus" },
    el("option", { value: "" }, "Any"), el("option", { value: "ENDED" }, "Ended"),
    el("option", { value: "GONE" }, "Gone"), el("option", { value: "FAILED" }, "Failed"));
  const endReason = el("input", { name: "endReason", type: "search", autocomplete: "off", placeholder: "e.g. caller_hung_up" });
  const results = el("div", { class: "table-wrap", "aria-live": "polite" });
  const pager = el("nav", { class: "pager", "aria-label": "Result pages" });
  const form = el("form", { class: "search", role: "search", "aria-label": "Search recent calls" },
    field("Number", number), field("From day", since), field("To day", until), field("Status", callStatus),
    field("End reason", endReason),
    el("div", { class: "field actions-row" }, el("button", { type: "submit" }, "Search"),
      el("button", { type: "reset", class: "secondary" }, "Clear")));
  replace(main, el("section", { "aria-labelledby": "recent-title" },
    el("div", { class: "page-head" }, el("h1", { id: "recent-title" }, "Recent calls")), form, results, pager));

  let cursors = [null]; // cursors[i] opens page i
  let page = 0;
  let alive = true;

  function query() {
    const params = new URLSearchParams({ status: "recent", limit: String(PAGE_SIZE) });
    for (const input of [number, since, until, callStatus, endReason]) {
      if (input.value.trim() !== "") params.set(input.name, input.value.trim());
    }
    if (cursors[page]) params.set("cursor", cursors[page]);
    return params;
  }

  async function load() {
    replace(results, stateMessage("loading", "Searching…"));
    replace(pager);
    try {
      const { body } = await api.get(`/calls?${query()}`);
      if (!alive) return;
      cursors = cursors.slice(0, page + 1);
      if (body.nextCursor) cursors.push(body.nextCursor);
      render(body.calls ?? []);
    } catch (error) {
      if (!alive) return;
      const [title, advice] = error.status === 400
        ? ["The search was not understood", error.message] : describeReadError(error);
      replace(results, stateMessage("error", title, advice));
    }
  }

  function render(calls) {
    if (calls.length === 0) {
      replace(results, stateMessage("empty", page === 0 ? "No calls match" : "No more calls on this page",
        "Widen the day range or clear the filters. Only calls that have ended are listed here."));
    } else {
      replace(results, el("table", { class: "calls" },
        el("caption", { class: "sr-only" }, "Ended calls, most recently ended first"),
        el("thead", {}, el("tr", {}, ["From", "To", "Status", "Direction", "Started", "Duration", "End reason"]
          .map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, calls.map((call) => el("tr", { dataset: { callId: call.callId } },
          el("td", {}, el("a", { href: `#/calls/${call.callId}` }, party(call.from))),
          el("td", {}, party(call.to)),
          el("td", {}, el("span", { class: `badge badge-${call.status.toLowerCase()}` }, statusText(call.status))),
          el("td", {}, direction(call)),
          el("td", { class: "when" }, time(call.createdAt)),
          el("td", { class: "num" }, duration(call.createdAt, call.endedAt)),
          el("td", {}, call.endReason ?? call.failureReason ?? "—"))))));
    }
    replace(pager,
      el("button", { type: "button", class: "secondary", disabled: page === 0, onclick: () => { page -= 1; load(); } },
        "Previous page"),
      el("span", { class: "muted" }, `Page ${page + 1}`),
      el("button", { type: "button", class: "secondary", disabled: cursors.length <= page + 1,
        onclick: () => { page += 1; load(); } }, "Next page"));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    cursors = [null];
    page = 0;
    load();
  });
  form.addEventListener("reset", () => setTimeout(() => form.requestSubmit(), 0));
  load();
  return () => {
    alive = false;
  };
}

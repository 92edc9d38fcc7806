/** Formatting shared by the pages: numbers (masked unless the operator asked to see them), times, durations. */

const MASK_KEY = "console.showNumbers";

export function showNumbers() {
  return localStorage.getItem(MASK_KEY) === "true";
}

export function setShowNumbers(value) {
  localStorage.setItem(MASK_KEY, value ? "true" : "false");
}

/** "+14255551212" -> "+•••••••1212"; SIP URIs keep only their host. Unmasked when the operator chose so. */
export function party(value) {
  if (!value) return "unknown";
  if (showNumbers()) return value;
  const number = /^(?:tel:)?(\+?\d{5,})$/.exec(value);
  if (number) {
    const digits = number[1];
    return digits.slice(0, digits.startsWith("+") ? 1 : 0) + "•".repeat(Math.max(0, digits.replace("+", "").length - 4))
      + digits.slice(-4);
  }
  const sip = /^(sips?:)([^@]*)@(.+)$/.exec(value);
  if (sip && /^\+?\d{5,}$/.test(sip[2])) return party(sip[2]); // a phone number carried in a SIP URI
  return sip ? `${sip[1]}•••@${sip[3]}` : "(hidden)";
}

export function time(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "—" : d.toLocaleString(undefined, {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
}

export function clock(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** Seconds between two instants (end = now when missing) as "1:05" or "1:02:05". */
export function duration(startIso, endIso) {
  if (!startIso) return "—";
  const start = new Date(startIso).getTime();
  const end = endIso ? new Date(endIso).getTime() : Date.now();
  const total = Math.max(0, Math.floor((end - start) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

export const STATUS_TEXT = {
  RECEIVED: "ringing", ACCEPTED: "accepted", QUEUED: "waiting for a worker", ATTACHED: "in progress",
  ORPHANED: "moving to another worker", ENDED: "ended", GONE: "gone", FAILED: "failed",
};

export function statusText(status) {
  return STATUS_TEXT[status] ?? String(status ?? "unknown").toLowerCase();
}

/** Inbound unless the call record says otherwise (outbound calls carry direction "outbound"). */
export function direction(call) {
  return call.direction === "outbound" ? "outbound" : "inbound";
}

export const SPEAKERS = { caller: "Caller", agent: "Agent", system: "System", operator: "Operator" };

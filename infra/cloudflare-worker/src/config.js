/** Reads and normalises the Worker's environment (vars and secrets) into one plain object. */

export const DEFAULT_TIMEOUT_MS = 8000;
export const MIN_TIMEOUT_MS = 1000;
export const MAX_TIMEOUT_MS = 30000;

/** Returns a trimmed non-empty string, or undefined for missing/blank values (blank means "off"). */
function optional(value) {
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** Parses CONTROL_API_TIMEOUT_MS as an integer clamped to 1000..30000, defaulting to 8000. */
export function parseTimeoutMs(raw) {
  const parsed = Number.parseInt(String(raw ?? "").trim(), 10);
  if (!Number.isFinite(parsed)) return DEFAULT_TIMEOUT_MS;
  return Math.min(MAX_TIMEOUT_MS, Math.max(MIN_TIMEOUT_MS, parsed));
}

/** Splits ALLOWED_ORIGINS (comma-separated) into a set of exact origins without trailing slashes. */
export function parseAllowedOrigins(raw) {
  const origins = (optional(raw) ?? "")
    .split(",")
    .map((origin) => origin.trim().replace(/\/+$/, ""))
    .filter((origin) => origin !== "" && origin !== "*");
  return new Set(origins);
}

/** Strips scheme and trailing slashes from ACCESS_TEAM_DOMAIN ("https://team.cloudflareaccess.com/" -> host). */
export function normaliseTeamDomain(raw) {
  const value = optional(raw);
  if (!value) return undefined;
  return value.replace(/^https?:\/\//i, "").replace(/\/+$/, "") || undefined;
}

/** Builds the Worker's configuration from its env bindings. */
export function readConfig(env = {}) {
  const accessTeamDomain = normaliseTeamDomain(env.ACCESS_TEAM_DOMAIN);
  return {
    controlBaseUrl: optional(env.CONTROL_API_BASE_URL),
    controlToken: optional(env.CONTROL_API_TOKEN),
    accessClientId: optional(env.CF_ACCESS_CLIENT_ID),
    accessClientSecret: optional(env.CF_ACCESS_CLIENT_SECRET),
    timeoutMs: parseTimeoutMs(env.CONTROL_API_TIMEOUT_MS),
    dashboardToken: optional(env.DASHBOARD_TOKEN),
    accessTeamDomain,
    accessAudience: optional(env.ACCESS_AUDIENCE),
    accessCertsUrl:
      optional(env.ACCESS_CERTS_URL) ??
      (accessTeamDomain ? `https://${accessTeamDomain}/cdn-cgi/access/certs` : undefined),
    allowedOrigins: parseAllowedOrigins(env.ALLOWED_ORIGINS),
  };
}

import { describe, expect, it } from "vitest";
import {
  DEFAULT_TIMEOUT_MS,
  MAX_TIMEOUT_MS,
  MIN_TIMEOUT_MS,
  normaliseTeamDomain,
  parseAllowedOrigins,
  parseTimeoutMs,
  readConfig,
} from "../src/config.js";

describe("CONTROL_API_TIMEOUT_MS parsing", () => {
  it("defaults to 8000 ms when unset, blank or not a number", () => {
    expect(DEFAULT_TIMEOUT_MS).toBe(8000);
    for (const raw of [undefined, null, "", "   ", "abc", "NaN", "ms5000"]) {
      expect(parseTimeoutMs(raw), String(raw)).toBe(8000);
    }
  });

  it("keeps values inside 1000..30000 as integers", () => {
    expect(parseTimeoutMs("1000")).toBe(1000);
    expect(parseTimeoutMs("2500")).toBe(2500);
    expect(parseTimeoutMs(" 1500 ")).toBe(1500);
    expect(parseTimeoutMs("2500.9")).toBe(2500);
    expect(parseTimeoutMs("1500ms")).toBe(1500);
    expect(parseTimeoutMs(12000)).toBe(12000);
    expect(parseTimeoutMs("30000")).toBe(30000);
  });

  it("clamps values below 1000 up to 1000 and above 30000 down to 30000", () => {
    expect([MIN_TIMEOUT_MS, MAX_TIMEOUT_MS]).toEqual([1000, 30000]);
    expect(parseTimeoutMs("0")).toBe(1000);
    expect(parseTimeoutMs("5")).toBe(1000);
    expect(parseTimeoutMs("-20000")).toBe(1000);
    expect(parseTimeoutMs("30001")).toBe(30000);
    expect(parseTimeoutMs("600000")).toBe(30000);
  });
});

describe("configuration", () => {
  it("treats blank values as unset and trims the rest", () => {
    const config = readConfig({ CONTROL_API_BASE_URL: "  ", CONTROL_API_TOKEN: " tok ", DASHBOARD_TOKEN: "" });
    expect(config.controlBaseUrl).toBeUndefined();
    expect(config.controlToken).toBe("tok");
    expect(config.dashboardToken).toBeUndefined();
    expect(config.timeoutMs).toBe(8000);
  });

  it("derives the Access certs URL from the team domain unless ACCESS_CERTS_URL overrides it", () => {
    expect(readConfig({ ACCESS_TEAM_DOMAIN: "https://acme.cloudflareaccess.com/" }).accessCertsUrl).toBe(
      "https://acme.cloudflareaccess.com/cdn-cgi/access/certs",
    );
    expect(
      readConfig({ ACCESS_TEAM_DOMAIN: "acme.cloudflareaccess.com", ACCESS_CERTS_URL: "http://127.0.0.1:9/certs" })
        .accessCertsUrl,
    ).toBe("http://127.0.0.1:9/certs");
    expect(readConfig({}).accessCertsUrl).toBeUndefined();
    expect(normaliseTeamDomain("acme.cloudflareaccess.com")).toBe("acme.cloudflareaccess.com");
  });

  it("parses ALLOWED_ORIGINS as exact origins and never allows a wildcard", () => {
    expect([...parseAllowedOrigins(" https://a.example.com/, https://b.example.com ,,*")]).toEqual([
      "https://a.example.com",
      "https://b.example.com",
    ]);
    expect(parseAllowedOrigins(undefined).size).toBe(0);
  });
});

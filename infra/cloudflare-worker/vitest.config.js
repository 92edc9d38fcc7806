import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_SECRETS } from "./test/secrets.js";

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => {
      const upstream = inject("upstreamOrigin");
      return {
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          // Test-only values; production secrets are set with `wrangler secret put`.
          bindings: {
            ...TEST_SECRETS,
            CONTROL_API_BASE_URL: upstream,
            CONTROL_API_TIMEOUT_MS: "1000",
            ALLOWED_ORIGINS: "https://dashboard.example.com, https://ops.example.com",
            ACCESS_TEAM_DOMAIN: "testteam.cloudflareaccess.com",
            ACCESS_AUDIENCE: "test-aud-0123456789",
            ACCESS_CERTS_URL: `${upstream}/__test/jwks/default`,
          },
        },
      };
    }),
  ],
  test: {
    globalSetup: ["./test/global-setup.js"],
    testTimeout: 15000,
    // The Worker's structured logs are printed only for failing tests.
    silent: "passed-only",
  },
});

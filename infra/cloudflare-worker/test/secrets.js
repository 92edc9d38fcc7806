/** Test-only secret values bound into the Worker; tests assert none of them ever leaks into a response. */
export const TEST_SECRETS = {
  CONTROL_API_TOKEN: "ctl-secret-7f3a9c1e5b2d4680",
  DASHBOARD_TOKEN: "dash-secret-91b2c3d4e5f60718",
  CF_ACCESS_CLIENT_ID: "cfid-secret-0a1b2c3d.access",
  CF_ACCESS_CLIENT_SECRET: "cfsec-secret-f0e1d2c3b4a59687",
};

/** vitest globalSetup: starts the fake control API in Node and provides its origin to the Worker tests. */
import { closedPortOrigin, startUpstream } from "./upstream-server.js";

/** Starts the upstream, provides origins, returns the teardown. */
export default async function setup({ provide }) {
  const upstream = await startUpstream();
  provide("upstreamOrigin", upstream.origin);
  provide("closedOrigin", await closedPortOrigin());
  return () => upstream.close();
}

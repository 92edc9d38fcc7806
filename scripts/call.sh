#!/usr/bin/env bash
# Places a call against the running local stack (scripts/run.sh) the way OpenAI would: a signed
# realtime.call.incoming webhook, with the secret the stack generated (.local/credentials.env), and the
# simulator playing the caller's side of a scenario. Prints what happens until the call ends.
#   scripts/call.sh [--from +14155550123] [--to +18005550100] [--scenario default|quiet|demo|PATH]
#                   [--end-after SECONDS] [--call-id rtc_...] [--no-wait]
# Scenarios: default (a short conversation that the agent ends), quiet (nothing said: end it with --end-after or
# the control API), demo, goodbye, caller-hangs-up, keypad, or a scenario file (infra/simulator/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java25.sh
source scripts/local-jars.sh

source_local_state credentials.env "$LOCAL_STACK_JAR"
if [ -z "${SIMULATOR_URL:-}" ]; then
  echo "error: the running stack talks to the real OpenAI (OPENAI_API_KEY is set): call its number instead" >&2
  exit 1
fi
host_port=${LOCAL_STACK_URL#http://}
if ! (exec 3<>"/dev/tcp/${host_port%:*}/${host_port##*:}") 2>/dev/null; then
  echo "error: no local stack answers at $LOCAL_STACK_URL: start it with scripts/run.sh" >&2
  exit 1
fi
# the secrets reach the Java process through the environment (exported by the file above), not its command line
exec java "${LOCAL_JAVA_OPTS[@]}" -cp "$LOCAL_STACK_JAR" ai.phoneagent.simulator.SimulatorMain place-call \
  --url "$LOCAL_STACK_URL/openai/webhook" --simulator "$SIMULATOR_URL" "$@"

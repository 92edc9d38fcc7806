#!/usr/bin/env bash
# The first ten minutes, as a test: starts the local stack with scripts/run.sh from the built jars, checks that every
# port it listens on is bound to loopback, places a call with scripts/call.sh, stops the stack with SIGTERM, and
# checks that neither printed a JDK, SLF4J or Unsafe warning. Run by scripts/test.sh after the Maven build.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java25.sh
source scripts/local-jars.sh

state=$(mktemp -d)
console="$state/console.txt"
stack_pid=
cleanup() {
  if [ -n "$stack_pid" ] && kill -0 "$stack_pid" 2>/dev/null; then
    kill "$stack_pid" 2>/dev/null || true
  fi
  rm -rf "$state"
}
trap cleanup EXIT
fail() {
  echo "local-smoke: FAILED: $*" >&2
  echo "--- console of the stack:" >&2
  cat "$console" >&2 || true
  exit 1
}
command -v ss >/dev/null || fail "ss (iproute2) is needed to list the stack's listening sockets"
if [ -n "$(local_jars_changed_source 2>/dev/null)" ] || [ ! -f "$LOCAL_STACK_JAR" ]; then
  fail "the jars are missing or older than the sources: build first (./mvnw -pl infra/local-stack -am package)"
fi

# PORT=0: a free port, printed in the banner. No demo call: the call below is the one placed by hand.
LOCAL_STACK_STATE_DIR="$state" PORT=0 LOCAL_STACK_NO_DEMO=true scripts/run.sh >"$console" 2>&1 &
stack_pid=$!
deadline=$((SECONDS + 180))
until grep -q '^local stack: serving on port' "$console"; do
  kill -0 "$stack_pid" 2>/dev/null || fail "the stack exited before serving"
  [ "$SECONDS" -lt "$deadline" ] || fail "the stack was not serving within 180 s"
  sleep 0.2
done
echo "local-smoke: $(grep '^local stack: serving' "$console")"

# Every listening socket of the stack's process must be on loopback, the worker's /health included.
listeners=$(ss -Hltnp | grep "pid=$stack_pid," | awk '{print $4}')
[ -n "$listeners" ] || fail "ss shows no listening socket for pid $stack_pid"
checked=0
while read -r address; do
  port=${address##*:}
  host=${address%:*}
  case "$host" in
    127.0.0.1 | "[::ffff:127.0.0.1]" | "[::1]") checked=$((checked + 1)) ;;
    *) fail "port $port listens on $host, not on loopback" ;;
  esac
done <<< "$listeners"
echo "local-smoke: $checked listening sockets of the stack are on loopback"

call_out="$state/call.txt"
if ! LOCAL_STACK_STATE_DIR="$state" timeout 120 scripts/call.sh --from +14155550123 --scenario default >"$call_out" 2>&1; then
  cat "$call_out" >&2
  fail "scripts/call.sh failed"
fi
grep -q "^call rtc_[A-Za-z0-9]* ended (" "$call_out" || { cat "$call_out" >&2; fail "the call placed by hand did not end"; }
echo "local-smoke: $(grep '^call rtc_' "$call_out" | cut -d';' -f1)"

# SIGTERM: the worker drains, the stack stops in order and exits 0; the JVM then writes its class-data archive (the
# state dir is new, so it has none yet), which takes seconds of its own
kill -TERM "$stack_pid"
stop_started=$SECONDS
until grep -q '^local stack: stopped' "$console"; do
  kill -0 "$stack_pid" 2>/dev/null || break
  [ $((SECONDS - stop_started)) -lt 10 ] || fail "the stack had not stopped within 10 s of SIGTERM"
  sleep 0.1
done
stopped_after=$((SECONDS - stop_started))
while kill -0 "$stack_pid" 2>/dev/null; do
  [ $((SECONDS - stop_started)) -lt 120 ] || fail "the stack did not exit within 120 s of SIGTERM"
  sleep 0.2
done
status=0
wait "$stack_pid" || status=$?
stack_pid=
[ "$status" -eq 0 ] || fail "the stack exited with status $status after SIGTERM (expected 0)"
grep -q '^local stack: stopped' "$console" || fail "the stack exited without stopping in order"
echo "local-smoke: stopped ${stopped_after} s after SIGTERM, exited (status 0, archive written) after $((SECONDS - stop_started)) s"

noise=$(cat "$console" "$call_out" | grep -E 'WARNING:|SLF4J|Unsafe' || true)
[ -z "$noise" ] || fail "warnings on the console: $noise"
grep -q 'scenario .* failed at step' "$console" && fail "a scenario failure reached the console"
echo "local-smoke: passed (no WARNING:/SLF4J/Unsafe lines on the console)"

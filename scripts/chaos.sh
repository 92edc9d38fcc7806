#!/usr/bin/env bash
# Breaks the system on purpose, with real processes and real signals: SQS and DynamoDB engines in processes of their
# own (paused with SIGSTOP/SIGCONT), the front (webhook and control APIs, OpenAI simulator), and session workers
# (kill -9, SIGTERM, a wrong key, capacity). Prints one table per scenario and exits 1 when a call is lost or stuck,
# a transcript line is lost, or a recovery misses its target.
#   scripts/chaos.sh                 # the full form: every scenario (about 5 minutes on an idle 2-core machine)
#   scripts/chaos.sh --short         # the short form scripts/test.sh runs
#   scripts/chaos.sh kill9 sigterm   # chosen scenarios;  scripts/chaos.sh --list  names them all
# Options: --dir DIR (process logs; default a new temporary folder), --settle SECONDS (default 30).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java25.sh
source scripts/local-jars.sh

# The short form: the scenarios that pass every time and are quick (about 2 minutes in all on 2 cores; README "Break
# it on purpose" lists what the others show). sqs-pause-20s and dynamodb-pause-20s pass too, but take a minute each
# and their 5 s greeting target needs a machine that is not saturated.
SHORT=(capacity accept-slow wrong-key accept-500)

args=()
for arg in "$@"; do
  if [ "$arg" = "--short" ]; then
    if [ "${#SHORT[@]}" -eq 0 ]; then
      echo "chaos: the short form has no scenarios yet (none passes on the current worker); the full form: scripts/chaos.sh"
      exit 0
    fi
    args+=("${SHORT[@]}")
  else
    args+=("$arg")
  fi
done
ensure_local_jars
exec java "${LOCAL_JAVA_OPTS[@]}" -cp "$LOCAL_STACK_JAR" ai.phoneagent.localstack.chaos.ChaosMain \
  --local-stack-jar "$LOCAL_STACK_JAR" --worker-jar "$SESSION_WORKER_JAR" "${args[@]}"

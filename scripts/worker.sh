#!/usr/bin/env bash
# Starts one more session worker as a process of its own, joined to the running local stack (scripts/run.sh, e.g.
# with LOCAL_STACK_WORKER=false): it reads .local/worker.env, which the stack writes on start (AWS endpoints, queue
# URL, table, simulator URL and key). NAME=VALUE arguments override it, e.g.
#   scripts/worker.sh WORKER_CAPACITY=2 HEALTH_PORT=8081
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java25.sh
source scripts/local-jars.sh

env_file=${LOCAL_STACK_STATE_DIR:-.local}/worker.env
if [ ! -f "$env_file" ] || [ ! -f "$SESSION_WORKER_JAR" ]; then
  echo "error: start the local stack first (scripts/run.sh): $env_file or $SESSION_WORKER_JAR is missing" >&2
  exit 1
fi
set -a
source "$env_file"
set +a
for assignment in "$@"; do
  case "$assignment" in
    [A-Z_]*=*) export "${assignment?}" ;;
    *) echo "error: arguments are NAME=VALUE settings, got: $assignment" >&2; exit 2 ;;
  esac
done
exec java "${LOCAL_JAVA_OPTS[@]}" -jar "$SESSION_WORKER_JAR"

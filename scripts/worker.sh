#!/usr/bin/env bash
# Starts one more session worker as a process of its own, joined to the running local stack (scripts/run.sh, e.g.
# with LOCAL_STACK_WORKER=false): it reads .local/worker.env, which the stack writes on start (AWS endpoints, queue
# URL, table, simulator URL and key). NAME=VALUE arguments override it, e.g.
#   scripts/worker.sh WORKER_CAPACITY=2 HEALTH_PORT=8081
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java25.sh
source scripts/local-jars.sh

source_local_state worker.env "$SESSION_WORKER_JAR"
for assignment in "$@"; do
  case "$assignment" in
    [A-Z_]*=*) export "${assignment?}" ;;
    *) echo "error: arguments are NAME=VALUE settings, got: $assignment" >&2; exit 2 ;;
  esac
done
# the image's JVM options (infra/worker-container/worker-jvm.options)
exec java "${LOCAL_JAVA_OPTS[@]}" @infra/worker-container/worker-jvm.options -jar "$SESSION_WORKER_JAR"

#!/usr/bin/env bash
# Starts the whole system locally: embedded SQS and DynamoDB, the webhook and control APIs on PORT (default 3000),
# a session worker, and (without OPENAI_API_KEY) the OpenAI simulator with a demo call. Builds the jars first only
# when a source changed since they were built (never installs into ~/.m2). Settings: README "Run it locally".
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java25.sh
source scripts/local-jars.sh

port=${PORT:-3000}
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "error: port $port is already in use (another local stack?). Stop it, or choose another: PORT=3100 scripts/run.sh" >&2
  exit 1
fi
ensure_local_jars
state_dir=${LOCAL_STACK_STATE_DIR:-.local}
mkdir -p "$state_dir"
# A class-data archive of the stack's own classes, made when the stack stops and reused by the next start (faster
# class loading); one older than the jar no longer matches it and is made anew.
archive="$state_dir/local-stack.jsa"
[ -f "$archive" ] && [ "$archive" -ot "$LOCAL_STACK_JAR" ] && rm -f "$archive"
# (the property only lets the stack say, when it stops, that the JVM is writing the archive)
exec java "${LOCAL_JAVA_OPTS[@]}" -XX:SharedArchiveFile="$archive" -XX:+AutoCreateSharedArchive \
  -Dlocal.stack.archive="$archive" \
  -Xlog:cds=off -Xlog:cds+dynamic=off -jar "$LOCAL_STACK_JAR" "$@"

# Sourced by run.sh, call.sh, worker.sh and chaos.sh: the local stack's jars, built only when a source changed since
# they were built, with progress on the console. Needs JAVA_HOME at a JDK 25 (source scripts/java25.sh first).

LOCAL_STACK_JAR=infra/local-stack/target/local-stack.jar
SESSION_WORKER_JAR=session-worker/target/session-worker.jar
# JVM options of every local process: DynamoDB Local's SQLite needs native access; pekko (ElasticMQ) still calls
# sun.misc.Unsafe, which JDK 25 allows but warns about.
LOCAL_JAVA_OPTS=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)

# The first source file (main code, resources, POMs, the bundled prompt) newer than the older of the two jars.
# Hidden files are not sources: tests leave some behind (e.g. jqwik's .jqwik-database) after the jars are built.
local_jars_changed_source() {
  local oldest=$LOCAL_STACK_JAR
  [ "$SESSION_WORKER_JAR" -ot "$oldest" ] && oldest=$SESSION_WORKER_JAR
  find pom.xml config shared webhook-lambda session-worker control-lambda infra/local-aws infra/simulator \
      infra/local-stack test-support/pom.xml \
      \( -name target -o -name node_modules -o -name '.*' -o -path '*/src/test' \) -prune -o -type f -newer "$oldest" -print -quit
}

# Builds the jars unless they are there and newer than every source; prints one line per module while building.
ensure_local_jars() {
  local why
  if [ ! -f "$LOCAL_STACK_JAR" ] || [ ! -f "$SESSION_WORKER_JAR" ]; then
    why="no jars yet"
  else
    why=$(local_jars_changed_source)
    [ -z "$why" ] && return 0
    why="changed: $why"
  fi
  local log started
  log=$(mktemp)
  started=$(date +%s)
  echo "building the local stack ($why); full log: $log"
  # Maven's own JVM (Guice) also calls sun.misc.Unsafe.
  MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
    ./mvnw -B -ntp -pl infra/local-stack -am -Dmaven.test.skip=true package >"$log" 2>&1 &
  local build=$! shown=0 lines
  # progress: the reactor's "Building <module> [n/m]" lines as they appear
  while kill -0 "$build" 2>/dev/null; do
    lines=$(sed -n -E 's/^\[INFO\] Building ([^ ]+) [^ ]+ +\[([0-9]+)\/([0-9]+)\]$/  [\2\/\3] \1/p' "$log")
    [ -n "$lines" ] && printf '%s\n' "$lines" | tail -n +$((shown + 1))
    [ -n "$lines" ] && shown=$(printf '%s\n' "$lines" | wc -l)
    sleep 1
  done
  if ! wait "$build"; then
    echo "error: the build failed; its last lines:" >&2
    grep -E '^\[(ERROR|WARNING)\]' "$log" | head -n 40 >&2
    return 1
  fi
  echo "built in $(( $(date +%s) - started )) s"
  rm -f "$log"
}

# Sources one of the files the running stack wrote under .local/ (exporting its variables); stops with a clear
# message when the stack has not been started or the jar the caller runs is missing.
source_local_state() {
  local file=${LOCAL_STACK_STATE_DIR:-.local}/$1 jar=$2
  if [ ! -f "$file" ] || [ ! -f "$jar" ]; then
    echo "error: start the local stack first (scripts/run.sh): $file or $jar is missing" >&2
    exit 1
  fi
  set -a
  # shellcheck disable=SC1090
  source "$file"
  set +a
}

#!/usr/bin/env bash
# Runs every test: the Java reactor (unit, integration over real sockets, template checks) and the
# Cloudflare Worker's tests inside workerd; ends with one summary line over both.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java25.sh

echo "==> Java: ./mvnw verify (JDK at $JAVA_HOME)"
maven_log="$(mktemp)"
./mvnw -B -ntp verify | tee "$maven_log"

echo "==> Cloudflare Worker: npm test (workerd)"
worker_report="$(mktemp)"
(cd infra/cloudflare-worker && npm install --ignore-scripts --no-audit --no-fund --loglevel=error \
  && npm test -- --reporter=default --reporter=json --outputFile="$worker_report")

# Surefire's per-module totals and vitest's JSON, added up: "tests: N passed, N failed, N skipped".
java_counts=$(sed 's/\x1b\[[0-9;]*m//g' "$maven_log" | grep -E '^\[[A-Z]+\] Tests run: [0-9]+, ' | grep -v ' -- in ' \
  | sed -E 's/.*Tests run: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+), Skipped: ([0-9]+).*/\1 \2 \3 \4/' \
  | awk '{ t += $1; f += $2; e += $3; s += $4 } END { printf "%d %d %d", t - f - e - s, f + e, s }')
worker_counts=$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  process.stdout.write(`${r.numPassedTests} ${r.numFailedTests} ${r.numPendingTests + r.numTodoTests}`)' "$worker_report")
rm -f "$worker_report" "$maven_log"
read -r jp jf js <<< "$java_counts"
read -r wp wf ws <<< "$worker_counts"
echo "tests: $((jp + wp)) passed, $((jf + wf)) failed, $((js + ws)) skipped"

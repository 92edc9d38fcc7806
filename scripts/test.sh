#!/usr/bin/env bash
# Runs every test: the Java reactor (unit, integration over real sockets, template checks), the
# Cloudflare Worker's tests inside workerd, and the operator console's tests in real Chromium against the
# local stack the reactor just built; ends with one summary line over all three.
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

echo "==> Operator console: real Chromium against the local stack (node --test)"
scripts/install-browser.sh
console_report="$(mktemp)"
(cd infra/console && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --ignore-scripts --no-audit --no-fund --loglevel=error \
  && node --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
       --test-reporter=tap --test-reporter-destination="$console_report" test/console.test.js)

# Surefire's per-module totals and vitest's JSON, added up: "tests: N passed, N failed, N skipped".
java_counts=$(sed 's/\x1b\[[0-9;]*m//g' "$maven_log" | grep -E '^\[[A-Z]+\] Tests run: [0-9]+, ' | grep -v ' -- in ' \
  | sed -E 's/.*Tests run: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+), Skipped: ([0-9]+).*/\1 \2 \3 \4/' \
  | awk '{ t += $1; f += $2; e += $3; s += $4 } END { printf "%d %d %d", t - f - e - s, f + e, s }')
worker_counts=$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  process.stdout.write(`${r.numPassedTests} ${r.numFailedTests} ${r.numPendingTests + r.numTodoTests}`)' "$worker_report")
console_counts=$(awk '/^# pass /{p=$3} /^# fail /{f=$3} /^# skipped /{s=$3} /^# todo /{t=$3} END{printf "%d %d %d", p, f, s + t}' "$console_report")
rm -f "$worker_report" "$maven_log" "$console_report"
read -r jp jf js <<< "$java_counts"
read -r wp wf ws <<< "$worker_counts"
read -r cp cf cs <<< "$console_counts"
echo "tests: $((jp + wp + cp)) passed, $((jf + wf + cf)) failed, $((js + ws + cs)) skipped"

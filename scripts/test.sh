#!/usr/bin/env bash
# Runs every test: the Java reactor (unit, integration over real sockets, template checks), the Cloudflare
# Worker's tests inside workerd, the operator console's tests in real Chromium against the local stack the
# reactor just built, then the built jars as real processes (scripts/local-smoke.sh and the chaos suite's
# short form); ends with one summary line over all of them.
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

# The built jars as real processes: each script is one test; a failure is counted, then fails the run.
echo "==> Local stack as processes: scripts/local-smoke.sh, scripts/chaos.sh --short"
script_passed=0
script_failed=0
if scripts/local-smoke.sh; then script_passed=$((script_passed + 1)); else script_failed=$((script_failed + 1)); fi
chaos_report="$(mktemp)"
scripts/chaos.sh --short | tee "$chaos_report" || true
script_passed=$((script_passed + $(grep -c '^scenario: .*->  PASS$' "$chaos_report" || true)))
script_failed=$((script_failed + $(grep -c '^scenario: .*->  FAIL$' "$chaos_report" || true)))
grep -q '^chaos: ' "$chaos_report" || script_failed=$((script_failed + 1))
rm -f "$chaos_report"

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
echo "tests: $((jp + wp + cp + script_passed)) passed, $((jf + wf + cf + script_failed)) failed, $((js + ws + cs)) skipped"
[ "$script_failed" -eq 0 ]

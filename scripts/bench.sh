#!/usr/bin/env bash
# The benchmark suite (never run by the tests): builds what it measures, then starts the AWS engines, the webhook
# and control handlers and the session worker as separate JVMs, plays OpenAI with the connector simulator, prints
# a table and writes JSON to target/bench/. Method and figures: infra/bench/README.md.
#
#   scripts/bench.sh                      # full run (~5 min on 2 cores)
#   scripts/bench.sh --quick              # fewer samples (~2 min)
#   scripts/bench.sh --live 100,1000,5000 # idle cost at several live-call counts
#   scripts/bench.sh compare A.json B.json
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java25.sh

if [ "${1:-}" != "compare" ] && [ "${BENCH_SKIP_BUILD:-}" != "1" ]; then
  echo "==> building (./mvnw package -DskipTests)"
  ./mvnw -B -q -ntp -pl infra/bench -am -DskipTests package
fi
echo "==> load before: $(uptime)"
java -jar infra/bench/target/bench.jar "$@"
[ "${1:-}" = "compare" ] || echo "==> load after: $(uptime)"

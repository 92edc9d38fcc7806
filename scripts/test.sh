#!/usr/bin/env bash
# Runs every test: the Java reactor (unit, integration over real sockets, template checks) and the
# Cloudflare Worker's tests inside workerd.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java25.sh

echo "==> Java: ./mvnw verify (JDK at $JAVA_HOME)"
./mvnw -B -ntp verify

echo "==> Cloudflare Worker: npm test (workerd)"
(cd infra/cloudflare-worker && npm install --ignore-scripts --no-audit --no-fund --loglevel=error && npm test)

#!/usr/bin/env bash
# Builds what it needs and starts the whole system locally: embedded SQS and DynamoDB, the webhook and
# control APIs on PORT (default 3000), a session worker, and (without OPENAI_API_KEY) the OpenAI simulator
# with a demo call.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java25.sh

./mvnw -B -q -ntp -DskipTests -pl infra/local-stack -am install
exec java --enable-native-access=ALL-UNNAMED -jar infra/local-stack/target/local-stack.jar "$@"

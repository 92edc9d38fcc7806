#!/bin/bash
# Container health probe of the session worker: exits 0 when GET /health on HEALTH_PORT (default 8080) answers
# 200, 1 otherwise (503 while draining, refused, or no answer within 4 s). Needs only bash (/dev/tcp), which the
# eclipse-temurin images have; used by the image's HEALTHCHECK and by the ECS task definition's health check.
set -u
port="${HEALTH_PORT:-8080}"
exec 3<>"/dev/tcp/127.0.0.1/${port}" 2>/dev/null || exit 1
printf 'GET /health HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 4 status <&3 || exit 1
case "$status" in
  "HTTP/1."[01]" 200"*) exit 0 ;;
  *) exit 1 ;;
esac

# Selects a JDK 25 for the build: sourced by the run and test scripts and by CI.
# Keeps JAVA_HOME when it already points at JDK 25 or newer; otherwise looks in the usual install places.

# The JDK's major version: from its "release" file (instant), else by asking its java (a JVM start).
java_major() {
  local major=
  [ -f "$1/release" ] && major=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release" | head -n 1)
  if [ -z "$major" ]; then
    major=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n 1)
  fi
  echo "$major"
}

select_java25() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25-* /usr/lib/jvm/jdk-25* \
      "$HOME"/.sdkman/candidates/java/25* /Library/Java/JavaVirtualMachines/*25*/Contents/Home \
      "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    major=$(java_major "$candidate")
    if [ -n "$major" ] && [ "${major%%.*}" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "error: JDK 25 not found. Install a JDK 25 (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  return 1
}

select_java25

#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs what the tests need (Debian packages
# and npm packages), checks types, lint and format, runs every vitest project, and ends with one
# line "N passed, N failed" computed from vitest's JSON report.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use as real parts: promtool (prometheus) checks /metrics output and
# the alert rules, redis-server backs the distributed rate limiter tests, chromium (driven by
# playwright-core) loads the leader's web console, and the real-engines project compiles
# llama.cpp's llama-server (scripts/build-llama-server.sh: git, cmake, a C++ compiler, make).
need=()
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v git >/dev/null 2>&1 || need+=(git)
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || need+=(make)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# The Debian prometheus package starts a server on install; the tests start their own.
(command -v systemctl >/dev/null 2>&1 && systemctl stop prometheus 2>/dev/null) || true

npm ci --no-audit --no-fund
npm run typecheck
npm run lint
npm run format:check

# The real-engines project builds llama-server once per machine; -O0 compiles about three times
# faster than Release's -O3 and still serves the tests' tiny model quickly.
export LLAMA_BUILD_OPT="${LLAMA_BUILD_OPT:--O0}"

mkdir -p .ci/out
status=0
npx vitest run --reporter=default --reporter=json --outputFile=.ci/out/vitest.json || status=$?
STATUS=$status node -e '
  const r = require("./.ci/out/vitest.json");
  let failed = r.numFailedTests;
  // A test file that cannot even load has no failed tests of its own: count it once.
  if (process.env.STATUS !== "0" && failed === 0) failed = Math.max(1, r.numFailedTestSuites);
  console.log(`${r.numPassedTests} passed, ${failed} failed`);
' || { echo "0 passed, 1 failed"; exit 1; }
exit $status

#!/usr/bin/env bash
# Runs every test, the PostgreSQL ones included: the tests start a throwaway PostgreSQL of their own
# (initdb/pg_ctl on a free loopback port, as user postgres when run as root). Set BACKLINK_TEST_POSTGRES
# to a connection string to use an existing server instead.
set -euo pipefail
cd "$(dirname "$0")/.."

have_postgres() { command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; }
if [ -z "${BACKLINK_TEST_POSTGRES:-}" ] && ! have_postgres; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "PostgreSQL server binaries not found: installing Debian's postgresql package"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "PostgreSQL server binaries (initdb, pg_ctl) are needed: install postgresql or set BACKLINK_TEST_POSTGRES" >&2
    exit 1
  fi
fi

# docker-compose.yml is validated with docker-compose config (no Docker engine is needed for that).
if ! command -v docker-compose >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's docker-compose to validate docker-compose.yml"
  (apt-get install -y -qq docker-compose >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq docker-compose >/dev/null; }) || echo "could not install docker-compose" >&2
fi
if command -v docker-compose >/dev/null 2>&1; then
  docker-compose -f docker-compose.yml config -q && echo "docker-compose.yml: valid"
else
  echo "docker-compose not installed: docker-compose.yml not validated" >&2
fi

# The browser tests drive Debian's chromium through Playwright (Playwright downloads no browser here).
if [ -z "${BACKLINK_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium for the browser tests"
    (apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }) \
      || { echo "could not install chromium: the browser tests will fail saying so" >&2; }
  else
    echo "chromium not found: install Debian's chromium or set BACKLINK_CHROMIUM to a Chromium binary" >&2
  fi
fi

dotnet build BacklinkOrleans.sln -c Release -warnaserror -nologo -v quiet

log=$(mktemp)
set +e
# Two phases: the in-process suites side by side, then the Host suite on its own. The Host suite starts real Host
# processes, a shared Sandbox and PostgreSQL, and kills some of them; beside the other suites on 2 cores its
# HTTP fetches timed out (a key file unverified, page probes failing http-error) in a way no user machine would see.
dotnet test BacklinkOrleans.sln -c Release --no-build -nologo --filter "FullyQualifiedName!~BacklinkOrleans.Host.Tests" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
dotnet test tests/BacklinkOrleans.Host.Tests -c Release --no-build -nologo 2>&1 | tee -a "$log"
host_status=${PIPESTATUS[0]}
[ "$status" -ne 0 ] || status=$host_status
set -e
summary=$(awk '/(Passed|Failed)! +- Failed:/ { gsub(",", ""); f += $4; p += $6; s += $8 } END { printf "%d passed, %d failed, %d skipped", p, f, s }' "$log")
# A fixture that fails to start or stop fails the run without failing a test: name it, or "0 failed" hides why.
fixture_failures=$(grep -E "\[(Test Class|Test Collection|Assembly) (Cleanup|Setup) Failure" "$log" || true)
rm -f "$log"
echo "tests: $summary"
if [ -n "$fixture_failures" ]; then
  echo "fixture failures (each fails the run):" >&2
  echo "$fixture_failures" >&2
fi
case "$summary" in 0\ passed*) echo "no test ran" >&2; exit 1 ;; esac
exit "$status"

#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (test/e2e), only when it is missing.
# Idempotent and quiet: a second run does nothing and prints nothing. The tests drive it
# with playwright-core (executablePath /usr/bin/chromium); `npx playwright install` is not
# used because it downloads a browser of its own.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
  else
    echo "ci-browser: /usr/bin/chromium is missing and this is not root (no sudo); install Debian's chromium package" >&2
    exit 1
  fi
else
  SUDO=()
fi

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { "${SUDO[@]}" apt-get update -qq && "${SUDO[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ci-browser: installing Debian's chromium failed" >&2
  exit 1
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "ci-browser: chromium installed but /usr/bin/chromium is not there" >&2
  exit 1
fi

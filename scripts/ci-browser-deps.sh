#!/usr/bin/env bash
# Installs what tests/test_gui_browser.py needs: Debian's chromium and Playwright
# for Python (into the project's venv). Idempotent: quick when both are there.
# Never runs `playwright install` (no browser download: the system chromium is
# used through executable_path).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${E2A_VENV:-.venv}
PLAYWRIGHT_VERSION=${PLAYWRIGHT_VERSION:-1.65.2}

if ! command -v chromium >/dev/null; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO=sudo
  if ! command -v apt-get >/dev/null; then
    echo "ci-browser-deps: install chromium with your package manager" >&2; exit 1
  fi
  echo "ci-browser-deps: installing chromium" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "ci-browser-deps: no venv at $VENV (run scripts/setup.sh first)" >&2; exit 1
fi
if ! "$VENV/bin/python" -c "import playwright.sync_api" 2>/dev/null; then
  echo "ci-browser-deps: installing playwright $PLAYWRIGHT_VERSION into $VENV" >&2
  "$VENV/bin/python" -m pip install -q "playwright==$PLAYWRIGHT_VERSION"
fi
echo "ci-browser-deps: $(chromium --version 2>/dev/null | head -1); playwright $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("playwright"))')" >&2

#!/usr/bin/env bash
# Set up everything on a fresh machine and build the site from the bundled sample feed.
# Usage: ./bootstrap.sh            (no network needed after the packages are installed)
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

# Browser tests drive Debian's chromium; axe-core (accessibility checks) comes from npm.
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# `invoke bench` compares our build with Debian's Hugo + Pagefind (skipped without hugo).
if ! command -v hugo >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hugo >/dev/null
fi
# Exact versions from package-lock.json (checked against its sha512 digests), install scripts off;
# skipped when node_modules already holds the locked version.
locked() { node -p "require('./package-lock.json').packages['node_modules/axe-core'].version"; }
installed() { node -p "require('./node_modules/axe-core/package.json').version" 2>/dev/null; }
if command -v npm >/dev/null && [ "$(installed || true)" != "$(locked)" ]; then
    npm ci --ignore-scripts --silent --no-audit --no-fund >/dev/null 2>&1 \
        || echo "warning: npm ci failed; accessibility tests will fail" >&2
fi

.venv/bin/invoke sample
echo "Site built in output/ — serve it with: .venv/bin/invoke serve"

#!/usr/bin/env bash
# Everything the benchmarks need on top of the test setup, then nothing more:
#   - the test environment (scripts/install-test-deps.sh: chromium, .venv with the test extras);
#   - Debian's hugo, and node with npm when missing: the anchors of bench/anchors.py;
#   - the bench extra (MkDocs, pinned) in .venv;
#   - StatiCrypt, pinned by bench/package-lock.json, into bench/node_modules.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

missing=()
dpkg-query -W -f='${Status}' hugo 2>/dev/null | grep -q "install ok installed" || missing+=(hugo)
if ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test,bench]'

# npm ci installs exactly the lockfile: run it only when bench/node_modules holds another StatiCrypt.
wanted=$(node -p "require('./bench/package-lock.json').packages['node_modules/staticrypt'].version")
installed=$(node -p "require('./bench/node_modules/staticrypt/package.json').version" 2>/dev/null || true)
if [ "$installed" != "$wanted" ]; then
  npm ci --prefix bench --ignore-scripts --no-audit --no-fund --loglevel=error
fi
echo "Benchmark environment ready: hugo $(hugo version | cut -d' ' -f2)," \
  "mkdocs $(.venv/bin/mkdocs --version | cut -d" " -f3)," \
  "staticrypt $(node -p "require('./bench/node_modules/staticrypt/package.json').version")"

#!/usr/bin/env bash
# Everything the test suite needs on a fresh Debian machine, then nothing more:
#   - system packages: Debian's chromium (driven by Playwright), git, rsync, OpenSSH, fonts;
#   - a virtual environment in .venv with mapsite (editable) and its test extras;
#   - axe-core, pinned by tests/browser/axe/package-lock.json, which tests/browser/test_axe.py
#     injects into built pages (node and npm from Debian when missing).
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

packages=(chromium git rsync openssh-server openssh-client fonts-dejavu-core poppler-utils)
if ! command -v npm >/dev/null 2>&1; then packages+=(nodejs npm); fi
if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then packages+=(python3-venv); fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
# npm ci installs exactly the lockfile: run it only when another axe-core (or none) is installed.
wanted=$(node -p "require('./tests/browser/axe/package-lock.json').packages['node_modules/axe-core'].version")
installed=$(node -p "require('./tests/browser/axe/node_modules/axe-core/package.json').version" 2>/dev/null || true)
if [ "$installed" != "$wanted" ]; then
  npm ci --prefix tests/browser/axe --ignore-scripts --no-audit --no-fund --loglevel=error
fi
echo "Test environment ready: .venv (chromium at $(command -v chromium))"

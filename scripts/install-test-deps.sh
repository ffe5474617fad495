#!/usr/bin/env bash
# Everything the test suite needs on a fresh Debian machine, then nothing more:
#   - system packages: Debian's chromium (driven by Playwright), git, rsync, OpenSSH, fonts;
#   - a virtual environment in .venv with mapsite (editable) and its test extras.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

packages=(chromium git rsync openssh-server openssh-client fonts-dejavu-core poppler-utils)
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
echo "Test environment ready: .venv (chromium at $(command -v chromium))"

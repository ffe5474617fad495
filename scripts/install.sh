#!/usr/bin/env bash
# mapsite in a virtual environment (.venv) on Debian or Ubuntu, for the README's first command.
# It works as root (containers, where sudo is often absent) and as a normal user (sudo is used
# only to install python3-venv, and only when Python cannot make a virtual environment yet).
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "Installing python3-venv"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
fi
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
echo "mapsite is installed in .venv: run .venv/bin/mapsite, or put it on your PATH for this shell with"
echo "  . .venv/bin/activate"

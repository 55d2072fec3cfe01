#!/usr/bin/env bash
# Install the Debian packages dak needs, only those missing. Usage: install-system-deps.sh [--test]
# --test adds what the test suite needs on top (PostgreSQL server, SoftHSM2, NSS tools).
set -euo pipefail

packages=(
  tesseract-ocr tesseract-ocr-hin tesseract-ocr-eng tesseract-ocr-osd tesseract-ocr-script-deva
  poppler-utils qpdf fonts-noto-core fonts-lohit-deva fonts-dejavu-core libraqm0 make
)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(libnss3-tools postgresql softhsm2)
fi
command -v python3 >/dev/null 2>&1 || packages+=(python3)
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  packages+=(python3-venv)
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "dak: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "dak: installing Debian packages: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

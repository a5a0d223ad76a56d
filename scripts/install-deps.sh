#!/usr/bin/env bash
# Installs the Debian packages Dosar needs, only those missing; quiet when
# everything is there. Usage: scripts/install-deps.sh [build|test|all]
set -euo pipefail

BUILD_PACKAGES=(
  build-essential cmake pkg-config
  libssl-dev libsqlite3-dev libmagic-dev libmagic-mgc libpoppler-cpp-dev nlohmann-json3-dev libxapian-dev
  libtesseract-dev libleptonica-dev tesseract-ocr tesseract-ocr-ron tesseract-ocr-eng tesseract-ocr-osd
  libcpp-httplib-dev libcurl4-openssl-dev libxml2-dev libqpdf-dev liblcms2-dev libengine-pkcs11-openssl
  libcairo2-dev libfreetype-dev fonts-dejavu-core libtiff-dev libpq-dev libldap-dev
)
TEST_PACKAGES=(
  googletest libgtest-dev jq sqlite3 poppler-utils xapian-tools curl python3 chromium openssl rclone
  qpdf libnss3-tools softhsm2 opensc python3-aiosmtpd libxml2-utils postgresql postgresql-client slapd ldap-utils
)
# The backup tests run s3rver (npm, tests/tools/s3rver); Debian's node only
# when the machine has no node of its own.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  TEST_PACKAGES+=(nodejs npm)
fi

case "${1:-all}" in
  build) wanted=("${BUILD_PACKAGES[@]}") ;;
  test | all) wanted=("${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}") ;;
  *) echo "usage: $0 [build|test|all]" >&2; exit 2 ;;
esac

missing=()
for package in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
(( ${#missing[@]} == 0 )) && exit 0

echo "installing: ${missing[*]}" >&2
SUDO=()
if [[ $(id -u) != 0 ]]; then
  command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >/dev/null
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

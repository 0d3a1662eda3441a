#!/bin/sh
# deps.sh: installs what migc's build and tests need on Debian 12, and only
# what is missing (idempotent: a second run installs nothing). Run as root,
# or with sudo available.
set -eu

packages="cmake make gcc flex bison pkg-config libpq-dev libsqlite3-dev libssl-dev \
sqlite3 postgresql postgresql-client python3 file"

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

# What the static builds need (a deb-src entry for `apt-get source
# postgresql-15`, dpkg-dev, the static archives): its own idempotent script.
$SUDO bash "$(dirname "$0")/../cmake/static/deps.sh"

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps.sh: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null

#!/usr/bin/env bash
# deps.sh: installs, as root, what migc's static builds need. Idempotent:
# safe to run on every CI run; it touches apt only when something is missing.
#
#   - a `deb-src` entry derived from the system's debian.sources, so that
#     `apt-get source postgresql-15` works (build-libpq.sh builds libpq from
#     that source without GSSAPI/LDAP, see docs/static.md);
#   - dpkg-dev (dpkg-source, to unpack the source package), libssl-dev
#     (libssl.a/libcrypto.a for TLS), libsqlite3-dev (libsqlite3.a), file.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
  echo "deps.sh: run as root (it adds an apt source entry and installs packages)" >&2
  exit 1
fi

need_update=0
dir=/etc/apt/sources.list.d
if ! grep -qs '^Types:.*deb-src' "$dir"/*.sources && ! grep -qs '^deb-src' /etc/apt/sources.list "$dir"/*.list; then
  base=$dir/debian.sources
  if [ ! -f "$base" ]; then
    echo "deps.sh: $base not found; add a deb-src entry for your Debian mirror by hand" >&2
    exit 1
  fi
  sed 's/^Types:.*/Types: deb-src/' "$base" >"$dir/migc-deb-src.sources.tmp"
  mv "$dir/migc-deb-src.sources.tmp" "$dir/migc-deb-src.sources"
  need_update=1
fi

missing=()
for p in dpkg-dev libssl-dev libsqlite3-dev libpq-dev file; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "$need_update" = 1 ] || [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
fi
if [ "${#missing[@]}" -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

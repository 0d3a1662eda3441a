#!/usr/bin/env bash
# build-libpq.sh: a static libpq without GSSAPI and LDAP, built from
# Debian's postgresql-15 source package (see docs/static.md for why).
#
#   build-libpq.sh OUTDIR
#
# Leaves OUTDIR/prefix/{include,lib} with libpq.a, libpgcommon.a and
# libpgport.a (TLS through OpenSSL; link libssl.a and libcrypto.a after them).
# The source and the build stay in OUTDIR, so a second run with the same
# OUTDIR does nothing: a stamp file marks a finished build. Needs a deb-src
# entry (cmake/static/deps.sh adds one), dpkg-dev, libssl-dev and a C compiler.
# Fails with a message and a non-zero exit, leaving no stamp.
set -euo pipefail

out=${1:?usage: build-libpq.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
prefix=$out/prefix
stamp=$prefix/.migc-libpq-stamp
[ -f "$stamp" ] && exit 0

jobs=${MIGC_JOBS:-2}
src=$out/src
mkdir -p "$src"
cd "$src"
if ! ls -d postgresql-15-*/ >/dev/null 2>&1; then
  # Prefer the version of the installed libpq-dev (same headers), then any
  # version the source index knows: a mirror may lack some (security) sources.
  versions=$(dpkg-query -W -f='${Version}\n' libpq-dev 2>/dev/null || true)
  versions="$versions $(apt-cache showsrc postgresql-15 2>/dev/null | sed -n 's/^Version: //p' | sort -rV)"
  got=0
  : >"$out/apt-source.log"
  for v in $versions; do
    if apt-get source -qq "postgresql-15=$v" >>"$out/apt-source.log" 2>&1; then got=1; break; fi
    rm -rf "$src"/postgresql-15*
  done
  if [ "$got" = 0 ]; then
    cat "$out/apt-source.log" >&2
    echo "build-libpq.sh: 'apt-get source postgresql-15' failed; run cmake/static/deps.sh as root" \
         "(it adds the deb-src entry and dpkg-dev), or point MIGC_STATIC_LIBPQ_DIR at a static libpq" >&2
    exit 1
  fi
fi
tree=$(ls -d "$src"/postgresql-15-*/ | head -n1)
cd "$tree"

log=$out/build.log
: >"$log"
run() { "$@" >>"$log" 2>&1 || { tail -n 40 "$log" >&2; echo "build-libpq.sh: failed: $*" >&2; exit 1; }; }

if [ ! -f config.status ]; then
  run ./configure --prefix="$prefix" --without-readline --without-zlib --without-icu \
      --without-gssapi --without-ldap --without-pam --without-lz4 --without-zstd \
      --without-libxml --without-selinux --without-systemd --disable-nls \
      --with-ssl=openssl CFLAGS="-O2 -g0"
fi
run make -C src/include -j"$jobs"
run make -C src/common -j"$jobs" libpgcommon.a
run make -C src/port -j"$jobs" libpgport.a
run make -C src/interfaces/libpq -j"$jobs" libpq.a

rm -rf "$prefix"
mkdir -p "$prefix/lib" "$prefix/include"
cp src/interfaces/libpq/libpq.a src/common/libpgcommon.a src/port/libpgport.a "$prefix/lib/"
cp src/interfaces/libpq/libpq-fe.h src/interfaces/libpq/libpq-events.h \
   src/include/postgres_ext.h src/include/pg_config_ext.h "$prefix/include/"
echo "postgresql-15 $(basename "$tree")" >"$stamp"

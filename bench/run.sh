#!/usr/bin/env bash
# run.sh: the migc benchmarks in one command (see bench/README.md).
#
#   bench/run.sh [--build-dir DIR] [--no-build] [--quick] [--runs K]
#                [--sections 1,2,3,4,5,6] [--no-static] [--no-results]
#                [--dbmate VERSION|PATH|none]
#
# Configures and builds migc and the runtime in DIR (default: build-bench at
# the top of the source tree, Release with debug info), starts a throwaway
# PostgreSQL cluster with tests/pg/cluster.sh, runs bench/bench.py, stops the
# cluster (also on failure or Ctrl-C), and writes bench/RESULTS.md (unless
# --no-results or --quick). The scratch files (generated histories, databases,
# binaries) go to DIR/bench-work and are kept for inspection.
#
# --no-build: DIR is already built (the `bench` CMake target passes it).
# --quick:    fewer runs and smaller N, for trying the scripts out.
# --dbmate:   section 6's dbmate: a version to install with npm into
#             DIR/bench-work/tools (default: $MIGC_BENCH_DBMATE, else the
#             pinned version in bench.py), a path to a dbmate binary, or none.
# Exit status: bench.py's (0 when the run completed, whatever the numbers),
# 1 when migc or PostgreSQL could not be set up.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/.." && pwd)
build=$src/build-bench
do_build=1
static=1
write_results=1
py_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build=${2:?--build-dir needs a directory}; shift 2 ;;
    --no-build) do_build=0; shift ;;
    --quick) py_args+=(--quick --runs 2); write_results=0; shift ;;
    --runs) py_args+=(--runs "${2:?--runs needs a number}"); shift 2 ;;
    --sections) py_args+=(--sections "${2:?--sections needs a list}"); shift 2 ;;
    --no-static) py_args+=(--no-static); static=0; shift ;;
    --no-results) write_results=0; shift ;;
    --dbmate) py_args+=(--dbmate "${2:?--dbmate needs a version, a path or none}"); shift 2 ;;
    -h|--help) sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: error: unknown option '$1'; see bench/run.sh --help" >&2; exit 2 ;;
  esac
done
mkdir -p "$build"
build=$(cd "$build" && pwd)

if [ "$do_build" = 1 ]; then
  if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMIGC_BUILD_TESTS=OFF >/dev/null \
      || { echo "run.sh: cmake configure failed in $build" >&2; exit 1; }
  fi
  cmake --build "$build" -j2 >/dev/null \
    || { echo "run.sh: the build failed; run 'cmake --build $build' to see why" >&2; exit 1; }
fi
# The static binary needs a static libpq: reuse the build tree's (target
# migc_static_libpq, built once from Debian's source by cmake/static) unless
# MIGC_STATIC_LIBPQ_DIR names one.
if [ "$static" = 1 ] && [ -z "${MIGC_STATIC_LIBPQ_DIR:-}" ]; then
  libpq_prefix=$build/cmake/static-libpq/prefix
  if [ ! -f "$libpq_prefix/lib/libpq.a" ] && [ "$do_build" = 1 ]; then
    cmake --build "$build" --target migc_static_libpq >/dev/null \
      || echo "run.sh: warning: no static libpq (target migc_static_libpq failed); static rows will say so" >&2
  fi
  [ -f "$libpq_prefix/lib/libpq.a" ] && export MIGC_STATIC_LIBPQ_DIR=$libpq_prefix
fi
migc=$build/compiler/migc
[ -x "$migc" ] || { echo "run.sh: no migc at $migc; build the project first" >&2; exit 1; }

work=$build/bench-work
mkdir -p "$work"
state=$work/postgres.state
cleanup() { "$src/tests/pg/cluster.sh" stop "$state" || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM
pg_args=()
if "$src/tests/pg/cluster.sh" start "$state"; then
  pg_args=(--pg-state "$state")
else
  echo "run.sh: warning: PostgreSQL could not be started; the PostgreSQL rows will say so" >&2
fi

results=()
[ "$write_results" = 1 ] && results=(--results "$here/RESULTS.md")
python3 "$here/bench.py" --migc "$migc" --source "$src" --build "$build" --work "$work" \
  "${pg_args[@]}" "${results[@]}" "${py_args[@]}"

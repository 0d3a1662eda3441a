#!/usr/bin/env bash
# profile.sh: where a benchmarked command spends its time, for FINDINGS.md.
#
#   bench/profile.sh [--callgrind] [--top N] -- COMMAND [ARGS...]
#
# Default: `perf record -g` at 999 Hz, then the top N (default 25) symbols by
# self time (`perf report --no-children`), and by inclusive time. With
# --callgrind: valgrind --tool=callgrind (exact instruction counts, ~50x
# slower) and the top N functions by inclusive cost (callgrind_annotate).
# The raw profile is kept in ./profile.perf.data or ./callgrind.out.profile.
# Exits with the profiler's status; prints nothing but the summary.
set -euo pipefail

tool=perf
top=25
while [ $# -gt 0 ]; do
  case "$1" in
    --callgrind) tool=callgrind; shift ;;
    --top) top=${2:?--top needs a number}; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: profile.sh [--callgrind] [--top N] -- COMMAND [ARGS...]" >&2; exit 2; }

if [ "$tool" = perf ]; then
  data=profile.perf.data
  perf record -q -F 999 -g -o "$data" -- "$@" >/dev/null 2>profile.stderr \
    || { cat profile.stderr >&2; exit 1; }
  echo "## self time (perf, top $top)"
  perf report -i "$data" --stdio --no-children --sort symbol -g none --percent-limit 0.5 2>/dev/null \
    | grep -v '^#' | grep -v '^$' | head -n "$top"
  echo "## inclusive time (perf, top $top)"
  perf report -i "$data" --stdio --children --sort symbol -g none --percent-limit 2 2>/dev/null \
    | grep -v '^#' | grep -v '^$' | head -n "$top"
else
  out=callgrind.out.profile
  valgrind --tool=callgrind --callgrind-out-file="$out" -- "$@" >/dev/null 2>profile.stderr \
    || { cat profile.stderr >&2; exit 1; }
  echo "## inclusive cost (callgrind, top $top)"
  callgrind_annotate --inclusive=yes "$out" 2>/dev/null | sed -n '1,/^-- Auto/p' | grep -E '^ *[0-9,]+ ' | head -n "$top"
fi

#!/usr/bin/env bash
# Starts Plinth as a make-bench peer with one worker thread: --minimal (access log off) or
# --governed (every stage on, access log to DIR/access.log). Port 0 picks a free port; Plinth
# prints "plinth listening on http://HOST:PORT". The script execs plinth; pin it with taskset.
#   plinth.sh --plinth BIN --listen 127.0.0.1:PORT --upstream-url http://HOST:PORT/v1 \
#             --dir DIR [--minimal | --governed]      (PLINTH_ADMIN_KEY: the API key)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
plinth="" listen="" upstream_url="" dir="" config="$here/plinth-minimal.yaml"
while (($#)); do
  case "$1" in
    --plinth) plinth="$2"; shift 2 ;;
    --listen) listen="$2"; shift 2 ;;
    --upstream-url) upstream_url="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --minimal) config="$here/plinth-minimal.yaml"; shift ;;
    --governed) config="$here/plinth-governed.yaml"; shift ;;
    *) echo "plinth.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
if [[ -z "$plinth" || -z "$listen" || -z "$upstream_url" || -z "$dir" ]]; then
  echo "usage: plinth.sh --plinth BIN --listen HOST:PORT --upstream-url URL --dir DIR" \
       "[--minimal | --governed]" >&2
  exit 2
fi

mkdir -p "$dir/data"
export PLINTH_BENCH_UPSTREAM_URL="$upstream_url"
export PLINTH_BENCH_ACCESS_LOG="$dir/access.log"
export PLINTH_ADMIN_KEY="${PLINTH_ADMIN_KEY:-bench-key}"
exec "$plinth" serve --config "$config" --listen "$listen" --data-dir "$dir/data" --workers 1

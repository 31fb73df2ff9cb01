#!/usr/bin/env bash
# Starts HAProxy in the foreground (-db) as a make-bench peer: one thread, config and pid in
# --dir. --stream adds `option http-no-delay`, which SSE streams need. The script execs
# haproxy, so its pid is the proxy's; pin it with taskset.
#   haproxy.sh --listen 127.0.0.1:PORT --upstream HOST:PORT --dir DIR [--stream]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
listen="" dir="" upstream="" stream_options=""
while (($#)); do
  case "$1" in
    --listen) listen="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --upstream) upstream="$2"; shift 2 ;;
    --stream) stream_options="  option http-no-delay"; shift ;;
    *) echo "haproxy.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
if [[ -z "$listen" || -z "$dir" || -z "$upstream" ]]; then
  echo "usage: haproxy.sh --listen HOST:PORT --upstream HOST:PORT --dir DIR [--stream]" >&2
  exit 2
fi

# Each proxied connection holds two descriptors; stay under the hard limit we have.
fd_limit="$(ulimit -Hn)"
[[ "$fd_limit" == unlimited ]] && fd_limit=1048576
maxconn=$(((fd_limit - 64) / 2))

mkdir -p "$dir"
conf="$dir/haproxy.cfg"
sed -e "s|@DIR@|$dir|g" -e "s|@LISTEN@|$listen|g" -e "s|@UPSTREAM@|$upstream|g" \
    -e "s|@MAXCONN@|$maxconn|g" -e "s|@STREAM_OPTIONS@|$stream_options|g" \
    "$here/haproxy.cfg.template" > "$conf"

exec haproxy -db -f "$conf"

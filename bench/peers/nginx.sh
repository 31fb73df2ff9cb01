#!/usr/bin/env bash
# Starts nginx in the foreground as a make-bench peer: one worker, config, pid and logs in
# --dir (nothing under /etc or /var). Without --static-body it proxies to --upstream; with
# it, it answers every request with that file's bytes (the "static" peer). The script execs
# nginx, so its pid is the master's; pin it with taskset.
#   nginx.sh --listen 127.0.0.1:PORT --dir DIR (--upstream HOST:PORT | --static-body FILE)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
listen="" dir="" upstream="" static_body=""
while (($#)); do
  case "$1" in
    --listen) listen="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --upstream) upstream="$2"; shift 2 ;;
    --static-body) static_body="$2"; shift 2 ;;
    *) echo "nginx.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
if [[ -z "$listen" || -z "$dir" || ( -z "$upstream" && -z "$static_body" ) ]]; then
  echo "usage: nginx.sh --listen HOST:PORT --dir DIR" \
       "(--upstream HOST:PORT | --static-body FILE)" >&2
  exit 2
fi

# Workers need two descriptors per proxied connection; stay under the hard limit we have.
fd_limit="$(ulimit -Hn)"
[[ "$fd_limit" == unlimited ]] && fd_limit=1048576
workers=$((fd_limit - 64))
backlog="$(cat /proc/sys/net/core/somaxconn 2>/dev/null || echo 4096)"

mkdir -p "$dir"
chmod 755 "$dir"  # the worker (user nobody when run as root) creates its temp paths here
if [[ -n "$static_body" ]]; then
  body="$(cat "$static_body")"
  if [[ "$body" == *"'"* || "$body" == *\\* || "$body" == *\$* ]]; then
    echo "nginx.sh: --static-body must not contain ', \\ or \$" >&2
    exit 2
  fi
  template="$here/nginx-static.conf.template"
else
  body=""
  template="$here/nginx.conf.template"
fi
conf="$dir/nginx.conf"
# The body goes in last, through awk, so that sed never sees it.
sed -e "s|@DIR@|$dir|g" -e "s|@LISTEN@|$listen|g" -e "s|@UPSTREAM@|$upstream|g" \
    -e "s|@FD_LIMIT@|$fd_limit|g" -e "s|@WORKER_CONNECTIONS@|$workers|g" \
    -e "s|@BACKLOG@|$backlog|g" "$template" |
  BODY="$body" awk '{
      i = index($0, "@BODY@")
      if (i) $0 = substr($0, 1, i - 1) ENVIRON["BODY"] substr($0, i + 6)
      print
    }' > "$conf"

# NGINX_WRAPPER (e.g. valgrind and its options) runs nginx as one process, no master.
if [[ -n "${NGINX_WRAPPER:-}" ]]; then
  exec $NGINX_WRAPPER nginx -p "$dir" -c "$conf" -e "$dir/error.log" \
    -g 'daemon off; master_process off;'
fi
exec nginx -p "$dir" -c "$conf" -e "$dir/error.log" -g 'daemon off;'

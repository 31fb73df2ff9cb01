#!/usr/bin/env bash
# Starts Portkey's gateway (@portkey-ai/gateway, pinned in bench/package-lock.json; run
# `npm ci` in bench/ first) as a make-bench peer, bound to loopback only. It reaches the mock
# through request headers: x-portkey-provider: openai and
# x-portkey-custom-host: http://HOST:PORT/v1. The script execs node; pin it with taskset.
#   portkey.sh --port PORT
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
port=""
while (($#)); do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    *) echo "portkey.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[[ -n "$port" ]] || { echo "usage: portkey.sh --port PORT" >&2; exit 2; }

server="$here/../node_modules/@portkey-ai/gateway/build/start-server.js"
if [[ ! -f "$server" ]]; then
  echo "portkey.sh: $server not found; run 'npm ci' in bench/ (scripts/install-bench-deps.sh)" >&2
  exit 1
fi
export NODE_ENV=production
exec node --require "$here/portkey-loopback.cjs" "$server" --port="$port" --headless

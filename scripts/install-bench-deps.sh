#!/usr/bin/env bash
# Installs what `make bench` needs on Debian 12 beyond the build: python3 (the orchestrator),
# nginx-light, haproxy and wrk (peers and a cross-check), node and npm when missing, then
# Portkey's gateway from bench/package-lock.json. Idempotent: when everything is present it
# prints one line, "bench dependencies present". Runs unattended (CI=true, no stdin).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(python3 nginx-light haproxy wrk util-linux)
# Any node >= 18 runs Portkey: Debian 12's nodejs (18) or one already installed, which we keep.
if ! command -v node >/dev/null 2>&1; then
  packages+=(nodejs npm)
elif ! command -v npm >/dev/null 2>&1; then
  packages+=(npm)
fi

installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]
}

missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done
# nginx-light is one way to get nginx; an nginx already on PATH will do.
if command -v nginx >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nginx-light ]] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

did_something=0
if ((${#missing[@]} > 0)); then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-bench-deps: apt-get not found; this script supports Debian 12 (bookworm)." >&2
    echo "install-bench-deps: missing packages: ${missing[*]}" >&2
    exit 1
  fi
  sudo=()
  if ((EUID != 0)); then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "install-bench-deps: not root and sudo is not installed; as root run:" >&2
      echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
    sudo=(sudo)
  fi
  echo "install-bench-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
  did_something=1
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if ((node_major < 18)); then
  echo "install-bench-deps: node $(node --version) is too old; Portkey needs node 18 or newer" >&2
  exit 1
fi

# npm ci when node_modules is missing or older than the lock file (npm writes
# node_modules/.package-lock.json on every install, so its age is the install's age).
stamp="bench/node_modules/.package-lock.json"
if [[ ! -f "$stamp" || bench/package-lock.json -nt "$stamp" ]]; then
  echo "install-bench-deps: npm ci in bench/ (Portkey's gateway)"
  (cd bench && npm ci --no-audit --no-fund --loglevel=error </dev/null)
  touch "$stamp"
  did_something=1
fi

if ((did_something == 0)); then
  echo "bench dependencies present"
fi

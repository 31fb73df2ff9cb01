#!/usr/bin/env bash
# Installs what Plinth's build and tests need on Debian 12: the missing Debian packages (and
# nothing else), then the node test dependencies. Idempotent: when everything is present it
# prints one line, "dependencies present". Runs unattended (CI=true, no stdin).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(
  g++ make cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-program-options1.81-dev
  libssl-dev libspdlog-dev libyaml-cpp-dev libgtest-dev libjemalloc-dev
  libsqlite3-dev libpq-dev postgresql
  ca-certificates curl
)
# Node runs the integration and end-to-end suites. Any node >= 18 will do: Debian 12's
# nodejs (18) or one that is already installed (e.g. 20 from elsewhere), which we keep.
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

did_something=0
if ((${#missing[@]} > 0)); then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: apt-get not found; this script supports Debian 12 (bookworm)." >&2
    echo "install-deps: missing packages: ${missing[*]}" >&2
    exit 1
  fi
  sudo=()
  if ((EUID != 0)); then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "install-deps: not root and sudo is not installed; as root run:" >&2
      echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
    sudo=(sudo)
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # The tests start throwaway PostgreSQL clusters of their own; the package's system-wide
  # cluster on port 5432 is not wanted.
  if [[ " ${missing[*]} " == *" postgresql "* ]]; then
    "${sudo[@]}" mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" |
      "${sudo[@]}" tee /etc/postgresql-common/createcluster.d/plinth.conf >/dev/null
  fi
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
  did_something=1
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if ((node_major < 18)); then
  echo "install-deps: node $(node --version) is too old; the test suites need node 18 or newer" >&2
  exit 1
fi

# npm ci when node_modules is missing or older than the lock file. npm writes
# node_modules/.package-lock.json on every install, so its age is the install's age.
e2e=tests/e2e
stamp="$e2e/node_modules/.package-lock.json"
if [[ ! -f "$stamp" || "$e2e/package-lock.json" -nt "$stamp" ]]; then
  echo "install-deps: npm ci in $e2e"
  (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error </dev/null)
  mkdir -p "$e2e/node_modules" && touch "$stamp"
  did_something=1
fi

if ((did_something == 0)); then
  echo "dependencies present"
fi

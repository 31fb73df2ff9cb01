# Sourced by the probes: the mock upstream and a proxy under test. W (a scratch folder) and
# B (the build folder) must be set.

# start_mock ARGS...: the mock on core 1 with ARGS (e.g. --chunks 256 --chunk-gap-ms 20);
# sets MP (its pid) and MPORT.
start_mock() {
  taskset -c 1 $B/bench/plinth-mock-upstream --listen 127.0.0.1:0 "$@" > $W/mock.log 2>&1 &
  MP=$!
  for _ in $(seq 50); do
    MPORT=$(grep -o '127.0.0.1:[0-9]*' $W/mock.log 2>/dev/null | head -1 | cut -d: -f2)
    [ -n "$MPORT" ] && return
    sleep 0.1
  done
  echo "the mock did not start" >&2; exit 1
}

# start_proxy BIN [PORT] [NAME]: "direct" (no proxy), "nginx", "haproxy" (streaming options)
# or a plinth binary (CONFIG, by
# default the minimal pipeline), on core 0 in front of the mock; sets PP (its pid, empty for
# direct) and URL.
start_proxy() {
  local bin=$1 port=${2:-18600} name=${3:-proxy}
  case "$bin" in
    direct)
      PP=; URL=http://127.0.0.1:$MPORT/v1/chat/completions; return ;;
    nginx)
      taskset -c 0 bench/peers/nginx.sh --listen 127.0.0.1:$port --dir $W/ng-$name \
        --upstream 127.0.0.1:$MPORT > $W/$name.log 2>&1 &
      PP=$!; sleep 0.7 ;;
    haproxy)
      taskset -c 0 bench/peers/haproxy.sh --listen 127.0.0.1:$port --dir $W/ha-$name \
        --upstream 127.0.0.1:$MPORT --stream > $W/$name.log 2>&1 &
      PP=$!; sleep 0.7 ;;
    *)
      mkdir -p $W/data-$name
      PLINTH_BENCH_UPSTREAM_URL=http://127.0.0.1:$MPORT/v1 PLINTH_ADMIN_KEY=bench-key \
        taskset -c 0 $bin serve --config ${CONFIG:-bench/peers/plinth-minimal.yaml} \
        --listen 127.0.0.1:$port --data-dir $W/data-$name --workers 1 > $W/$name.log 2>&1 &
      PP=$!
      for _ in $(seq 50); do grep -q 'listening on' $W/$name.log 2>/dev/null && break; sleep 0.1; done ;;
  esac
  URL=http://127.0.0.1:$port/v1/chat/completions
}

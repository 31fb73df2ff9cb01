#!/usr/bin/env bash
# Closed loop of 64 connections of 1 KiB chats through BIN (a plinth binary, or "nginx"),
# proxy on core 0: requests per second, and user and system CPU per request apart (/proc
# ticks). PERF=1 adds system calls by kind (perf stat). From the repository root:
#   bench/probes/saturation.sh build/src/plinth [DUR=10]
BIN=$1; DUR=${2:-10}; B=${BUILD:-build}
W=$(mktemp -d /dev/shm/sat.XXXX)
source bench/probes/common.sh
start_mock
start_proxy "$BIN" 18611
MASTER=$PP
[ "$BIN" = nginx ] && PP=$(pgrep -P "$PP" | head -1)  # the worker serves; the master sleeps
load() {
  taskset -c 1 $B/bench/plinth-loadgen --url $URL --header "Authorization: Bearer bench-key" \
    --mode closed --connections 64 --duration "$1" --body-bytes 1024
}
load 2 > /dev/null 2>&1
read -r u0 s0 < <(awk '{print $14, $15}' /proc/$PP/stat)
load "$DUR" > $W/out.json 2>/dev/null &
LG=$!
if [ "${PERF:-0}" = 1 ]; then
  sleep 1
  perf stat -e raw_syscalls:sys_enter,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_recvmsg,syscalls:sys_enter_recvfrom,syscalls:sys_enter_sendmsg,syscalls:sys_enter_writev -p $PP -- sleep 4 2>&1 | grep -E "syscalls"
fi
wait $LG
read -r u1 s1 < <(awk '{print $14, $15}' /proc/$PP/stat)
python3 -c "
import json
r = json.loads([l for l in open('$W/out.json') if l.startswith('{')][-1])
n = r['requests']
print(f\"$BIN req/s {n / $DUR:.0f} user/req {($u1 - $u0) * 10000 / n:.2f}us \"
      f\"sys/req {($s1 - $s0) * 10000 / n:.2f}us errors {r['errors']['total']}\")
"
kill $MASTER $PP $MP 2>/dev/null; wait 2>/dev/null; rm -rf $W

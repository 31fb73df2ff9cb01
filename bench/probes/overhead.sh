#!/usr/bin/env bash
# Open loop of 1 KiB chats at RATE through BIN (a plinth binary, or "nginx"), proxy on core 0:
# CPU per request (/proc ticks), minor faults per request, latency. PERF=1: syscall counts
# (perf stat); PERF=2: perf record into PERF_OUT. From the repository root:
#   bench/probes/overhead.sh build/src/plinth [RATE=1000] [DUR=10]
BIN=$1; RATE=${2:-1000}; DUR=${3:-10}; B=${BUILD:-build}
W=$(mktemp -d /dev/shm/ovh.XXXX)
taskset -c 1 $B/bench/plinth-mock-upstream --listen 127.0.0.1:0 > $W/mock.log 2>&1 &
MP=$!; sleep 0.3; MPORT=$(grep -o '127.0.0.1:[0-9]*' $W/mock.log | head -1 | cut -d: -f2)
mkdir -p $W/data
if [ "$BIN" = nginx ]; then taskset -c 0 bench/peers/nginx.sh --listen 127.0.0.1:18601 --dir $W/ng --upstream 127.0.0.1:$MPORT > $W/ng.log 2>&1 & PP=$!; sleep 0.7; PPORT=18601; PIDS=$( (pgrep -P $PP; echo $PP) | paste -sd,); PP=$(pgrep -P $PP | head -1)
else
PLINTH_BENCH_UPSTREAM_URL=http://127.0.0.1:$MPORT/v1 PLINTH_ADMIN_KEY=bench-key taskset -c 0 $BIN serve --config bench/peers/plinth-minimal.yaml --listen 127.0.0.1:0 --data-dir $W/data --workers 1 > $W/plinth.log 2>&1 &
PP=$!; sleep 0.7; PPORT=$(grep -o '127.0.0.1:[0-9]*' $W/plinth.log | head -1 | cut -d: -f2); PIDS=$PP
fi
URL=http://127.0.0.1:$PPORT/v1/chat/completions
taskset -c 1 $B/bench/plinth-loadgen --url $URL --header "Authorization: Bearer bench-key" --mode open --rate $RATE --duration 2 --body-bytes 1024 > /dev/null 2>&1
c0=$(awk '{print $14+$15}' /proc/$PP/stat); f0=$(awk '{print $10}' /proc/$PP/stat)
taskset -c 1 $B/bench/plinth-loadgen --url $URL --header "Authorization: Bearer bench-key" --mode open --rate $RATE --duration $DUR --body-bytes 1024 > $W/out.json 2>/dev/null &
LG=$!
if [ "${PERF:-0}" = 2 ]; then sleep 1; perf record -g -o ${PERF_OUT:-/tmp/perf-ovh.data} -p $PIDS -- sleep 5 >/dev/null 2>&1; fi
if [ "${PERF:-0}" = 1 ]; then sleep 1; perf stat -e raw_syscalls:sys_enter,context-switches,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_timerfd_settime,syscalls:sys_enter_recvmsg,syscalls:sys_enter_recvfrom,syscalls:sys_enter_sendmsg,syscalls:sys_enter_writev,syscalls:sys_enter_epoll_ctl -p $PIDS -- sleep 5 2>&1 | grep -E "syscalls|context"; fi
wait $LG
c1=$(awk '{print $14+$15}' /proc/$PP/stat); f1=$(awk '{print $10}' /proc/$PP/stat)
python3 -c "
import json
r=json.loads([l for l in open('$W/out.json') if l.startswith('{')][-1])
n=r['requests']
print(f\"cpu/req {($c1-$c0)*10000/n:.1f}us minflt/req {($f1-$f0)/n:.3f} p50 {r['latency_us']['p50']} p99 {r['latency_us']['p99']} errors {r['errors']['total']}\")
"
kill $(echo $PIDS | tr , " ") $MP 2>/dev/null; wait 2>/dev/null; rm -rf $W

#!/usr/bin/env bash
# STREAMS (500) concurrent streams of 256 chunks 20 ms apart, open loop, through BIN (a plinth
# binary, "nginx" or "direct"): time to first chunk and the proxy CPU ticks. PERF=1: perf
# record into PERF_OUT; PERF=2: syscall counts (PERF_EVENTS=a,b: those events instead). From
# the repository root:
#   STREAMS=50 bench/probes/stream.sh build/src/plinth [MEASURE_S=8]
BIN=$1; MEAS=${2:-8}; STREAMS=${STREAMS:-500}; B=${BUILD:-build}; RATE=$(python3 -c "print($STREAMS/5.12)")
W=$(mktemp -d /dev/shm/st.XXXX)
. bench/probes/common.sh
start_mock --chunks 256 --chunk-gap-ms 20
start_proxy "$BIN"
taskset -c 1 $B/bench/plinth-loadgen --url $URL --header "Authorization: Bearer bench-key" --mode open --rate $RATE --connections $STREAMS --max-connections $((STREAMS*3)) --warmup 3.84 --duration $MEAS --stream --expect-chunks 256 --timeout 30 > $W/out.json 2>$W/err &
LG=$!
sleep 4
# user and system ticks of the proxy and its children (nginx's worker)
ticks() { for p in $PP $(pgrep -P $PP); do cat /proc/$p/stat; done | awk '{u+=$14; s+=$15} END {print u, s}'; }
if [ -n "$PP" ]; then read u0 s0 < <(ticks); fi
if [ -n "$PP" ] && [ "${PERF:-0}" = 1 ]; then perf record -g -o ${PERF_OUT:-/tmp/perf-stream.data} -p $( (pgrep -P $PP; echo $PP) | paste -sd,) -- sleep 5 >/dev/null 2>&1; fi
EV2=${PERF_EVENTS:-syscalls:sys_enter_connect,syscalls:sys_enter_accept4,syscalls:sys_enter_sendmsg,syscalls:sys_enter_recvmsg,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_ctl,syscalls:sys_enter_writev,syscalls:sys_enter_recvfrom,syscalls:sys_enter_read,syscalls:sys_enter_write,syscalls:sys_enter_sendto,syscalls:sys_enter_timerfd_settime}
if [ -n "$PP" ] && [ "${PERF:-0}" = 2 ]; then perf stat -e $EV2 -p $( (pgrep -P $PP; echo $PP) | paste -sd,) -- sleep 5 2>&1 | grep -v "^ *$\|Performance\|seconds time"; fi
wait $LG
if [ -n "$PP" ]; then read u1 s1 < <(ticks); else u0=0; u1=0; s0=0; s1=0; fi
python3 -c "
import json
r=json.loads([l for l in open('$W/out.json') if l.startswith('{')][-1])
print(f\"ttfb p50 {r['ttfb_us']['p50']} p90 {r['ttfb_us']['p90']} chunks {r.get('chunks')} gap_p50 {r.get('chunk_gap_us',{}).get('p50')} errors {r['errors']['total']} ticks user {$u1-$u0} system {$s1-$s0}\")
"
kill $PP $MP 2>/dev/null; wait 2>/dev/null; rm -rf $W

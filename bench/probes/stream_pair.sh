#!/usr/bin/env bash
# Two proxies side by side at the same moment: A and B (plinth binaries or "nginx") both
# pinned to core 0, each relaying STREAMS/2 (250) streams of 256 chunks 20 ms apart from one
# mock, with a load generator each on core 1. Both see the same host noise, which on this VM
# is larger than most changes; the core carries the bench's whole streaming load. Prints each
# one's time to first chunk and CPU ticks, then B's p50 over A's. From the repository root:
#   bench/probes/stream_pair.sh nginx build/src/plinth [MEASURE_S=20]
A=$1; B_BIN=$2; MEAS=${3:-20}; STREAMS=${STREAMS:-500}; B=${BUILD:-build}
HALF=$((STREAMS / 2)); RATE=$(python3 -c "print($HALF/5.12)")
W=$(mktemp -d /dev/shm/sp.XXXX)
. bench/probes/common.sh
start_mock --chunks 256 --chunk-gap-ms 20
start_proxy "$A" 18610 a; PID_a=$PP
start_proxy "$B_BIN" 18611 b; PID_b=$PP
ticks() { for p in $1 $(pgrep -P $1); do cat /proc/$p/stat; done | awk '{u+=$14; s+=$15} END {print u "," s}'; }
for n in a b; do
  port=$([ $n = a ] && echo 18610 || echo 18611)
  taskset -c 1 $B/bench/plinth-loadgen --url http://127.0.0.1:$port/v1/chat/completions --header "Authorization: Bearer bench-key" --mode open --rate $RATE --connections $HALF --max-connections $((HALF*3)) --warmup 3.84 --duration $MEAS --stream --expect-chunks 256 --timeout 30 > $W/out_$n.json 2>$W/err_$n &
  eval "LG_$n=$!"
done
sleep 4
ca0=$(ticks $PID_a); cb0=$(ticks $PID_b)
wait $LG_a $LG_b
ca1=$(ticks $PID_a); cb1=$(ticks $PID_b)
python3 -c "
import json
def load(n):
    return json.loads([l for l in open('$W/out_'+n+'.json') if l.startswith('{')][-1])
a, b = load('a'), load('b')
def ticks(t0, t1):
    return [y - x for x, y in zip(t0, t1)]
for name, r, (u, s) in (('A $A', a, ticks(($ca0), ($ca1))), ('B $B_BIN', b, ticks(($cb0), ($cb1)))):
    print(f\"{name}: ttfb p50 {r['ttfb_us']['p50']} p90 {r['ttfb_us']['p90']} mean {r['ttfb_us']['mean']:.0f} streams {r['ttfb_us']['count']} chunks {r.get('chunks')} errors {r['errors']['total']} ticks user {u} system {s}\")
print(f\"B/A ttfb p50 {b['ttfb_us']['p50']/a['ttfb_us']['p50']:.3f}\")
"
kill $PID_a $PID_b $MP 2>/dev/null; wait 2>/dev/null; rm -rf $W

#!/usr/bin/env bash
# Time to first chunk without queueing: a closed loop of C (1) connections, each one stream
# of CH (2) chunks at a time (no gap), through BIN (a plinth binary, "nginx" or "direct").
# What is left is the path itself: the proxy's code and the cross-core wake-ups. From the
# repository root:
#   C=1 bench/probes/first_chunk.sh build/src/plinth [DUR_S=5]
BIN=$1; DUR=${2:-5}; C=${C:-1}; CH=${CH:-2}; B=${BUILD:-build}
W=$(mktemp -d /dev/shm/fc.XXXX)
. bench/probes/common.sh
start_mock --chunks $CH --chunk-gap-ms 0
start_proxy "$BIN"
taskset -c 1 $B/bench/plinth-loadgen --url $URL --header "Authorization: Bearer bench-key" --mode closed --connections $C --warmup 1 --duration $DUR --stream --body-bytes 1024 --timeout 30 > $W/out.json 2>$W/err
python3 -c "
import json
r=json.loads([l for l in open('$W/out.json') if l.startswith('{')][-1])
print(f\"$BIN ttfb p50 {r['ttfb_us']['p50']} p90 {r['ttfb_us']['p90']} mean {r['ttfb_us']['mean']:.1f} streams {r['requests']} errors {r['errors']['total']}\")
"
kill $PP $MP 2>/dev/null; wait 2>/dev/null; rm -rf $W

#!/usr/bin/env bash
# 1 MiB prompts through BIN (a plinth binary, "nginx" or "direct"), closed loop, 16
# connections, as scenario 4: requests per second, and the proxy's receive calls over 4 s
# (perf). From the repository root:
#   bench/probes/large.sh build/src/plinth [DURATION_S=8]
BIN=$1; DUR=${2:-8}; B=${BUILD:-build}
W=$(mktemp -d /dev/shm/lg.XXXX)
. bench/probes/common.sh
start_mock
start_proxy "$BIN"
taskset -c 1 $B/bench/plinth-loadgen --url $URL --header "Authorization: Bearer bench-key" \
  --mode closed --connections 16 --duration $DUR --body-bytes 1048576 --timeout 60 \
  > $W/out.json 2>$W/err &
LG=$!
sleep 2
if [ -n "$PP" ]; then
  perf stat -e syscalls:sys_enter_recvmsg,syscalls:sys_enter_recvfrom,syscalls:sys_enter_read \
    -p $( (pgrep -P $PP; echo $PP) | paste -sd,) -- sleep 4 2>&1 | grep sys_enter
fi
wait $LG
python3 -c "
import json
r = json.loads([l for l in open('$W/out.json') if l.startswith('{')][-1])
print(f\"req/s {r['achieved_rate']:.0f} errors {r['errors']['total']}\")
"
kill $PP $MP 2>/dev/null; wait 2>/dev/null; rm -rf $W

#!/usr/bin/env bash
# Leak-step repro: open loop at RATE (98 % plain, 2 % streams with aborts, connections in
# turn as in the leak check), the load generators stopped STOPMS ms at 20 s; RSS every 2 s.
# Run from the repository root. CONFIG=another plinth YAML.
# usage: burst.sh PLINTH_BIN [RATE] [STOPMS] [DUR]
set -u
BIN=${1:-build/src/plinth}; RATE=${2:-15000}; STOPMS=${3:-300}; DUR=${4:-50}
B=${BUILD:-build}
W=$(mktemp -d /dev/shm/burst.XXXX)
taskset -c 1 $B/bench/plinth-mock-upstream --listen 127.0.0.1:0 --chunk-gap-ms 2 > $W/mock.log 2>&1 &
MP=$!; sleep 0.5; MPORT=$(grep -o '127.0.0.1:[0-9]*' $W/mock.log | head -1 | cut -d: -f2)
mkdir -p $W/data
PLINTH_BENCH_UPSTREAM_URL=http://127.0.0.1:$MPORT/v1 PLINTH_ADMIN_KEY=bench-key taskset -c 0 $BIN serve --config ${CONFIG:-bench/peers/plinth-minimal.yaml} --listen 127.0.0.1:0 --data-dir $W/data --workers 1 > $W/plinth.log 2>&1 &
PP=$!; sleep 1; PPORT=$(grep -o '127.0.0.1:[0-9]*' $W/plinth.log | head -1 | cut -d: -f2)
LG=$B/bench/plinth-loadgen
PR=$(python3 -c "print($RATE*0.98)"); SR=$(python3 -c "print($RATE*0.02)")
taskset -c 1 $LG --url http://127.0.0.1:$PPORT/v1/chat/completions --header "Authorization: Bearer bench-key" --mode open --rate $PR --duration $DUR --max-connections 512 --timeout 5 > $W/lp.json 2>$W/lp.err &
L1=$!
taskset -c 1 $LG --url http://127.0.0.1:$PPORT/v1/chat/completions --header "Authorization: Bearer bench-key" --mode open --rate $SR --duration $DUR --max-connections 512 --timeout 5 --stream --abort-fraction 0.25 --expect-chunks 16 > $W/ls.json 2>$W/ls.err &
L2=$!
for i in $(seq 0 2 $DUR); do
  if [ $i = 20 ]; then kill -STOP $L1 $L2; sleep $(python3 -c "print($STOPMS/1000)"); kill -CONT $L1 $L2; fi
  echo "t=$i rss=$(awk '/VmRSS/{print $2}' /proc/$PP/status) conns=$(ls /proc/$PP/fd | wc -l)"
  sleep 2
done
wait $L1 $L2
echo "after rss=$(awk '/VmRSS/{print $2}' /proc/$PP/status) conns=$(ls /proc/$PP/fd | wc -l)"
python3 -c "
import json
for f in ['$W/lp.json','$W/ls.json']:
  try:
    r=json.loads([l for l in open(f) if l.startswith('{')][-1]); print(f.split('/')[-1], 'achieved', r.get('achieved_rate'), 'errors', r.get('errors'))
  except Exception as e: print(f, e)
"
kill $PP $MP; rm -rf $W

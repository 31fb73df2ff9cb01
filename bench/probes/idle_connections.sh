#!/usr/bin/env bash
# RSS per idle keep-alive connection: N connections, one 1 KiB chat each, left open.
# usage (from the repository root): bench/probes/idle_connections.sh PLINTH_BIN [N]
BIN=$1; N=${2:-2000}; B=${BUILD:-build}
W=$(mktemp -d /dev/shm/idle.XXXX)

taskset -c 1 $B/bench/plinth-mock-upstream --listen 127.0.0.1:0 > $W/mock.log 2>&1 &
MP=$!; sleep 0.5; MPORT=$(grep -o '127.0.0.1:[0-9]*' $W/mock.log | head -1 | cut -d: -f2)
mkdir -p $W/data
PLINTH_BENCH_UPSTREAM_URL=http://127.0.0.1:$MPORT/v1 PLINTH_ADMIN_KEY=bench-key taskset -c 0 $BIN serve --config bench/peers/plinth-minimal.yaml --listen 127.0.0.1:0 --data-dir $W/data --workers 1 > $W/plinth.log 2>&1 &
PP=$!; sleep 1; PPORT=$(grep -o '127.0.0.1:[0-9]*' $W/plinth.log | head -1 | cut -d: -f2)
python3 bench/probes/idle_connections.py $PPORT $N $PP
kill $PP $MP; rm -rf $W

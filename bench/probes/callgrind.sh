#!/usr/bin/env bash
# Instructions per request (and per chunk) of a plinth binary, or of nginx, under callgrind:
# noise-free, unlike time on this VM. Closed loop, 4 connections, small chats; CHUNKS=N makes
# them streams of N chunks (0: plain requests). The profile of the measured window is kept in
# OUT (default /tmp/plinth-callgrind.out) for callgrind_annotate. From the repository root:
#   CHUNKS=1 bench/probes/callgrind.sh build/src/plinth [MEASURE_S=6]
#
# CACHE=1 adds callgrind's cache simulation with small caches (8 KiB L1s, a 64 KiB last
# level) and prints the last-level misses per request: code lines (ILmr) and data lines
# (DLmr, DLmw) a request touches that the one before did not leave in 64 KiB. That is about
# the code and data it must bring from memory when other work has evicted them (500 streams'
# chunks do), the cost that grows with a path's footprint, not its instruction count.
#
# GAP_MS=N spaces a stream's chunks N ms apart (default 0). With 0 a read often carries
# several chunks or part of one; the bench's streams (20 ms) get one chunk per read, and
# GAP_MS=1 measures that case.
BIN=$1; MEAS=${2:-6}; CHUNKS=${CHUNKS:-0}; B=${BUILD:-build}; OUT=${OUT:-/tmp/plinth-callgrind.out}
W=$(mktemp -d /dev/shm/cg.XXXX)
VG=(valgrind --tool=callgrind --dump-instr=no --callgrind-out-file=$W/cg.out)
[ "${CACHE:-0}" = 1 ] && VG+=(--cache-sim=yes --I1=8192,2,64 --D1=8192,2,64 --LL=65536,2,64)
$B/bench/plinth-mock-upstream --listen 127.0.0.1:0 --chunks "$((CHUNKS > 0 ? CHUNKS : 1))" \
  --chunk-gap-ms "${GAP_MS:-0}" > $W/mock.log 2>&1 &
MP=$!; sleep 0.3; MPORT=$(grep -o '127.0.0.1:[0-9]*' $W/mock.log | head -1 | cut -d: -f2)
if [ "$BIN" = nginx ]; then
  PPORT=18620
  NGINX_WRAPPER="${VG[*]}" bench/peers/nginx.sh --listen 127.0.0.1:$PPORT --dir $W/ng \
    --upstream 127.0.0.1:$MPORT > $W/plinth.log 2>&1 &
  PP=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null http://127.0.0.1:$PPORT/ 2>/dev/null && break; sleep 0.2
  done
else
  mkdir -p $W/data
  PLINTH_BENCH_UPSTREAM_URL=http://127.0.0.1:$MPORT/v1 PLINTH_ADMIN_KEY=bench-key \
    "${VG[@]}" $BIN serve --config bench/peers/plinth-minimal.yaml --listen 127.0.0.1:0 \
    --data-dir $W/data --workers 1 > $W/plinth.log 2>&1 &
  PP=$!
  for _ in $(seq 100); do grep -q 'listening on' $W/plinth.log 2>/dev/null && break; sleep 0.2; done
  PPORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' $W/plinth.log | head -1)
fi
STREAM=(); [ "$CHUNKS" -gt 0 ] && STREAM=(--stream --expect-chunks "$CHUNKS")
load() {
  $B/bench/plinth-loadgen --url http://127.0.0.1:$PPORT/v1/chat/completions \
    --header "Authorization: Bearer bench-key" --mode closed --connections 4 --body-bytes 1024 \
    --duration "$1" "${STREAM[@]}" --timeout 30
}
load 2 > /dev/null
callgrind_control -z $PP > /dev/null 2>&1
load "$MEAS" > $W/out.json
callgrind_control -d $PP > /dev/null 2>&1
kill $PP $MP 2>/dev/null; wait 2>/dev/null
DUMP=$(ls $W/cg.out.* 2>/dev/null | sort | tail -1); DUMP=${DUMP:-$W/cg.out}
cp "$DUMP" "$OUT"
python3 - "$W/out.json" "$OUT" "$CHUNKS" <<'EOF'
import json, re, sys
r = json.loads([l for l in open(sys.argv[1]) if l.startswith('{')][-1])
totals = []
for line in open(sys.argv[2]):
    m = re.match(r'(?:summary|totals): ([\d ]+)', line)
    if m: totals = [int(x) for x in m.group(1).split()]
n, chunks = r['requests'], int(sys.argv[3])
per = [t / max(n, 1) for t in totals]
line = f"requests {n} errors {r['errors']['total']} instructions/request {per[0]:,.0f}"
if chunks: line += f" per chunk (request share included) {per[0] / chunks:,.0f}"
if len(per) == 9:  # Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw
    line += (f"; last-level misses/request: code {per[6]:,.0f} data read {per[7]:,.0f} "
             f"data written {per[8]:,.0f} (L1 code misses {per[3]:,.0f})")
print(line)
EOF
rm -rf $W

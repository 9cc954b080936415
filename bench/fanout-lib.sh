# Helpers for the fan-out runs through the gateway and the idle-connection runs of
# docs/benchmarks.md (sourced; bench/fanout-run does a whole direct or --gateway run as one
# command, these pieces are for the shapes it does not: idle holds, crossed builds). Every
# server is started here and must be stopped by the caller by PID ($PID, $GPID). Needs curl, jq.
#   . bench/fanout-lib.sh; start_training DIR; start_gateway DIR; setup_w 100
#   run_watchers NAME N "http://127.0.0.1:$GPORT" --source-ips 4 --pid $PID --pid $GPID
#   kill $GPID $PID
L=${L:-build/release/levain}
OUT=${OUT:-/tmp/levain-fanout-lib}
mkdir -p "$OUT"
S=bench-secret-$$
start_training() {  # $1 = dir, rest = extra flags; sets PORT PID
  local d=$1; shift
  rm -rf "$d"; mkdir -p "$d"
  "$L" training --listen 127.0.0.1:0 --data-dir "$d/data" --jwt-secret "$S" \
    --max-concurrent-jobs 1 --max-connections 20000 --ws-idle-timeout 600 --log-level warn "$@" \
    > "$d/out" 2> "$d/err" &
  PID=$!
  for _ in $(seq 1 100); do grep -q "listening on" "$d/out" 2>/dev/null && break; sleep 0.1; done
  PORT=$(grep -o "127.0.0.1:[0-9]*" "$d/out" | head -1 | cut -d: -f2)
  echo "training pid $PID port $PORT"
}
token() { "$L" token --tenant "$1" --role trainer --ttl 2h --secret "$S"; }
api() { echo "http://127.0.0.1:$PORT/api/v1/tenants/$1"; }
upload() {  # tenant products days
  "$L" demo-data --products "$2" --days "$3" > "$OUT/$1.csv"
  curl -s -o /dev/null -w "upload $1: HTTP %{http_code} in %{time_total} s\n" -X POST \
    -H "Authorization: Bearer $(token "$1")" --data-binary "@$OUT/$1.csv" "$(api "$1")/sales"
}
start_job() {  # tenant [body] -> job id
  # Gates and the measured job run side by side for one bakery: allow_concurrent.
  curl -s -X POST -H "Authorization: Bearer $(token "$1")" -d "$(jq -c '. + {allow_concurrent: true}' <<<"${2:-{\}}")" \
    "$(api "$1")/training/jobs" | jq -r .job_id
}
# Tenant w holds 5000 demo products; the measured job trains the first P of them, the gate all.
setup_w() {  # products_measured
  "$L" demo-data --products 5000 --days 200 > $OUT/w5000.csv
  curl -s -o /dev/null -w "upload w: HTTP %{http_code} in %{time_total} s\n" -X POST \
    -H "Authorization: Bearer $(token w)" --data-binary @$OUT/w5000.csv "$(api w)/sales"
  JOB_BODY=$(cut -d, -f2 $OUT/w5000.csv | tail -n +2 | awk '!seen[$0]++' | head -"$1" |
             jq -R . | jq -cs '{products: .}')
}
# One measured run: N watchers of a fresh job of tenant w, held behind a fresh gate job until
# every watcher joined. Extra args go to levain bench (e.g. --pid, --url of a gateway).
run_watchers() {  # name clients url extra...
  local name=$1 n=$2 url=$3; shift 3
  local gate; gate=$(start_job w)
  # Past its analysis step the gate's memory (every series loaded) is in "before", not per watcher.
  for _ in $(seq 1 300); do
    [ "$(curl -s -H "Authorization: Bearer $(token w)" "$(api w)/training/jobs/$gate" | jq .progress)" -ge 20 ] && break
    sleep 0.1
  done
  local job; job=$(start_job w "$JOB_BODY")
  echo "run $name: $n watchers, job $job behind gate $gate; load $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/time -f "bench cpu: %U s user %S s sys, %M KiB max RSS, %e s wall" \
    "$L" bench --url "$url" --tenant w --secret "$S" --clients "$n" --job "$job" \
    --release-job "$gate" --json --timeout 1800 "$@" > "$OUT/$name.json" 2> "$OUT/$name.err"
  echo "exit $?"; cat "$OUT/$name.json"; grep -v "^levain bench: reading" "$OUT/$name.err"
}
start_gateway() {  # $1 = dir; upstream = $PORT; sets GPORT GPID
  local d=$1
  "$L" gateway --listen 127.0.0.1:0 --upstream "127.0.0.1:$PORT" --jwt-secret "$S" \
    --max-connections 20000 --ws-idle-timeout 600 --log-level warn > "$d/gw.out" 2> "$d/gw.err" &
  GPID=$!
  for _ in $(seq 1 100); do grep -q "listening on" "$d/gw.out" 2>/dev/null && break; sleep 0.1; done
  GPORT=$(grep -o "127.0.0.1:[0-9]*" "$d/gw.out" | head -1 | cut -d: -f2)
  echo "gateway pid $GPID port $GPORT"
}
# Queues GATES gate jobs (default 4) of the whole tenant into GATES_QUEUED and waits until the
# first is past its analysis step, so its memory (every series loaded) is not counted per watcher.
queue_gates() {
  GATES_QUEUED=()
  for _ in $(seq 1 "${GATES:-4}"); do GATES_QUEUED+=("$(start_job w)"); done
  for _ in $(seq 1 300); do
    [ "$(curl -s -H "Authorization: Bearer $(token w)" "$(api w)/training/jobs/${GATES_QUEUED[0]}" | jq .progress)" -ge 20 ] && break
    sleep 0.1
  done
}
# Idle connections: N watchers of a job kept pending behind a gate, held 5 s, then closed.
run_idle() {  # name clients url extra...  (GATES gate jobs queued in front, default 4)
  local name=$1 n=$2 url=$3; shift 3
  local gates g
  queue_gates; gates=("${GATES_QUEUED[@]}")
  local job; job=$(start_job w "$JOB_BODY")
  echo "idle $name: $n watchers of pending job $job behind ${#GATES_QUEUED[@]} gates; load $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/time -f "bench cpu: %U s user %S s sys, %M KiB max RSS, %e s wall" \
    "$L" bench --url "$url" --tenant w --secret "$S" --clients "$n" --job "$job" --hold 5 \
    --json --timeout 1800 "$@" > "$OUT/$name.json" 2> "$OUT/$name.err"
  echo "exit $?"; cat "$OUT/$name.json"; grep -v "^levain bench: reading" "$OUT/$name.err"
  for g in "${gates[@]}"; do
    curl -s -o /dev/null -X POST -H "Authorization: Bearer $(token w)" "$(api w)/training/jobs/$g/cancel"
  done
}
# N watchers of a job queued behind GATES gate jobs, all cancelled once every watcher joined.
run_gated() {  # name clients url extra...
  local name=$1 n=$2 url=$3; shift 3
  local release=() g
  queue_gates
  for g in "${GATES_QUEUED[@]}"; do release+=(--release-job "$g"); done
  local job; job=$(start_job w "$JOB_BODY")
  echo "run $name: $n watchers, job $job behind ${#GATES_QUEUED[@]} gates; load $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/time -f "bench cpu: %U s user %S s sys, %M KiB max RSS, %e s wall" \
    "$L" bench --url "$url" --tenant w --secret "$S" --clients "$n" --job "$job" "${release[@]}" \
    --json --timeout 1800 "$@" > "$OUT/$name.json" 2> "$OUT/$name.err"
  echo "exit $?"; cat "$OUT/$name.json"; grep -v "^levain bench: reading" "$OUT/$name.err"
}

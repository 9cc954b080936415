#!/usr/bin/env bash
# `scripts/demo --cluster` end to end with a built binary: the broker, the database, two replicas
# and the gateway come up on loopback, a job trained through the printed URL with the printed
# token completes, and SIGTERM to the script stops every process it started (nothing listens on
# their ports afterwards, the broker's and database's PIDs are gone).
# Usage: demo_cluster_test.sh LEVAIN_BINARY REPO_DIR
set -euo pipefail
levain=${1:?levain binary}
repo=${2:?repository}
work=$(mktemp -d /tmp/levain-demo-cluster-XXXXXX)
chmod 755 "$work"  # the PostgreSQL server runs as `postgres` when we are root
state=$work/state
demo=

fail() {
  echo "demo_cluster_test: $*" >&2
  echo "---- script output ----" >&2
  cat "$work/demo.out" >&2 || true
  exit 1
}
finish() {
  local rc=$?
  if [[ -n $demo ]] && kill -0 "$demo" 2>/dev/null; then
    kill -TERM "$demo"
    wait "$demo" || true
  fi
  ((rc == 0)) && rm -rf "$work"
  exit "$rc"
}
trap finish EXIT

"$repo/scripts/demo" --cluster --levain "$levain" --state "$state" \
  --gateway-listen 127.0.0.1:0 >"$work/demo.out" 2>&1 &
demo=$!

for _ in $(seq 1800); do
  grep -q '^  Dashboard: ' "$work/demo.out" && break
  kill -0 "$demo" 2>/dev/null || fail "the script exited before printing the dashboard URL"
  sleep 0.1
done
line=$(grep -m1 '^  Dashboard: ' "$work/demo.out") || fail "no dashboard URL after 180 s"
dashboard=${line#  Dashboard: }
url=${dashboard%%/#token=*}
token=${dashboard#*#token=}
replicas=$(grep -m1 '^  Replicas: ' "$work/demo.out" | awk '{print $2, $3}')
[[ $(wc -w <<<"$replicas") -eq 2 ]] || fail "expected two replicas, got '$replicas'"

"$levain" train --url "$url" --tenant demo-bakery --token "$token" --quiet \
  --product "$(sed -n '2p' "$state/demo.csv" | cut -d, -f2)" "$state/demo.csv" >"$work/train.out" 2>&1 ||
  fail "levain train through $url failed: $(cat "$work/train.out")"
grep -q 'completed' "$work/train.out" || fail "the job did not complete: $(cat "$work/train.out")"

. "$state/rabbitmq/instance.env"
. "$state/postgres/instance.env"
broker_pid=$(tr -dc '0-9' <"$RABBITMQ_PID_FILE")
pg_pid=$(head -n 1 "$PGDATA/postmaster.pid")

kill -TERM "$demo"
wait "$demo" && rc=0 || rc=$?
demo=
grep -q 'demo-cluster: stopped' "$work/demo.out" || fail "no clean stop (exit $rc)"
for hostport in $replicas "${url#http://}"; do
  [[ -z $(ss -Htln "( sport = :${hostport##*:} )") ]] || fail "still listening on $hostport"
done
! kill -0 "$pg_pid" 2>/dev/null || fail "PostgreSQL (pid $pg_pid) still runs"
! kill -0 "$broker_pid" 2>/dev/null || fail "RabbitMQ (pid $broker_pid) still runs"
echo "demo_cluster_test: ok"

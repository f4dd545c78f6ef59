#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# End-to-end check of the launch scripts on 127.0.0.1 (run by .ci/run after the tests; needs
# cli/target/relreason-cli.jar, which `mvn verify` builds; builds nothing itself):
#  1. start-cluster.sh starts a coordinator and two workers; the run completes its 5 steps, the
#     workers are told the run finished, and stop-cluster.sh finds nothing left to stop; the run
#     secret it generated is mode 0600 and in no log;
#  2. a long run is started, joined by both workers, and stopped by stop-cluster.sh: every JVM
#     must be gone afterwards.
# Both runs have the online kNN probe on (#15): run 1 prints its curve (after steps 2 and 4), run 2
# exports it as the coordinator's Prometheus gauge while it trains.
# A unique cluster name and a random Hazelcast port range keep parallel runs on one machine apart.
# RELREASON_TEST_TLS=1 also generates stores with gen-tls.sh and turns on event-bus TLS.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."

fail() {
  echo "test-local-cluster: FAIL: $*" >&2
  for f in "$run_dir"/*.log; do
    echo "---- $f (last 15 lines)" >&2
    tail -n 15 "$f" >&2 || true
  done
  scripts/stop-cluster.sh "$run_dir" --timeout 10 >&2 || true
  exit 1
}

[[ -f cli/target/relreason-cli.jar ]] ||
  { echo "test-local-cluster: cli/target/relreason-cli.jar is missing (run mvn -B verify first)" >&2; exit 1; }

# Small JVMs: three of them share the machine with other jobs.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
export RELREASON_JAVA_OPTS=${RELREASON_JAVA_OPTS:--Xmx1g -Dorg.bytedeco.javacpp.maxbytes=2G -Dorg.bytedeco.javacpp.maxphysicalbytes=3G}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/relreason-cluster-test.XXXXXX")
run_dir=$tmp/none
small=(--set train-limit=256 --set m=8 --set k=2 --set augment-threads=1)
tls=()
if [[ ${RELREASON_TEST_TLS:-0} == 1 ]]; then
  scripts/gen-tls.sh --out "$tmp/tls" coordinator:127.0.0.1 w0:127.0.0.1 w1:127.0.0.1 >/dev/null
  tls=(--tls-dir "$tmp/tls")
fi

# start RUN_NAME EXTRA_ARGS...: a coordinator and 2 workers on 127.0.0.1; sets run_dir.
start() {
  local name=$1
  shift
  run_dir=$tmp/$name
  local port=$((20000 + RANDOM % 20000))
  metrics=$((port + 10))
  scripts/start-cluster.sh --local --workers 2 --run-dir "$run_dir" \
    --cluster-name "relreason-test-$$-$name-$RANDOM" --hz-port "$port" \
    --metrics-port "$((port + 10))" --dashboard-port 0 \
    "${tls[@]}" "${small[@]}" "$@" >/dev/null
}

# wait_for SECONDS CONDITION...: poll a command until it succeeds.
wait_for() {
  local limit=$(($1 + SECONDS))
  shift
  until "$@"; do
    ((SECONDS < limit)) || return 1
    sleep 2
  done
}

jvms_left() {
  local f pid n=0
  for f in "$run_dir"/*.pid; do
    pid=$(cat "$f")
    if ps -o args= -p "$pid" 2>/dev/null | grep -q relreason-cli.jar; then n=$((n + 1)); fi
  done
  echo "$n"
}
none_left() { [[ $(jvms_left) == 0 ]]; }
all_joined() { grep -q 'Members {size:3' "$run_dir/coordinator.log" 2>/dev/null; }

echo "test-local-cluster: 1. a 5-step run to completion"
start finishing --set max-steps=5 --set probe-every=2 --set probe-images=64
wait_for 600 none_left || fail "the 5-step run did not end within 600 s"
grep -q '^steps 5, final loss' "$run_dir/coordinator.log" || fail "the coordinator did not report 5 steps"
for w in w0 w1; do
  grep -q "^worker $w ended: RUN_FINISHED" "$run_dir/$w.log" || fail "$w did not end with RUN_FINISHED"
done
report=$(scripts/stop-cluster.sh "$run_dir")
[[ $(grep -c ': not running$' <<<"$report") == 3 ]] || fail "stop-cluster.sh after the run: $report"
[[ $(stat -c %a "$run_dir/cluster-secret") == 600 ]] || fail "the generated run secret is not mode 0600"
if grep -qF -- "$(cat "$run_dir/cluster-secret")" "$run_dir"/*.log; then fail "a log holds the run secret"; fi
grep -q 'HMAC-SHA256 on every message' "$run_dir/coordinator.log" || fail "the coordinator did not authenticate messages"
for n in coordinator w0 w1; do
  grep -q 'ND4J periodic garbage collection on' "$run_dir/$n.log" || fail "$n did not turn on ND4J's periodic GC"
done
for s in 2 4; do
  grep -Eq "^probe step $s kNN top-1 (0|1)\.[0-9]{4}$" "$run_dir/coordinator.log" ||
    fail "the coordinator printed no online-probe point after step $s"
done
[[ $(grep -c '^probe step' "$run_dir/coordinator.log") == 2 ]] || fail "expected exactly 2 online-probe points (steps 2, 4)"
grep '^steps' "$run_dir/coordinator.log"

echo "test-local-cluster: 2. stopping a running cluster"
start stopping --set epochs=1000 --set probe-every=1 --set probe-images=64
wait_for 300 all_joined || fail "the workers did not join within 300 s"
probe_gauge() {
  curl -fsS "http://127.0.0.1:$metrics/metrics" 2>/dev/null |
    grep -Eq '^relreason_eval_accuracy\{.*protocol="probe_knn".*\} (0|1)\.[0-9]'
}
wait_for 300 probe_gauge || fail "the coordinator's /metrics (port $metrics) shows no probe_knn accuracy"
echo "test-local-cluster: the coordinator exports the online probe: $(curl -fsS "http://127.0.0.1:$metrics/metrics" | grep probe_knn)"
[[ $(jvms_left) == 3 ]] || fail "expected 3 running JVMs, found $(jvms_left)"
report=$(scripts/stop-cluster.sh "$run_dir" --timeout 60) || fail "stop-cluster.sh failed: $report"
echo "$report"
[[ $(grep -c ': stopped (pid [0-9]*)$\|: killed pid' <<<"$report") == 3 ]] ||
  fail "stop-cluster.sh did not stop 3 nodes"
[[ $(jvms_left) == 0 ]] || fail "$(jvms_left) JVMs survived stop-cluster.sh"
scripts/tail-logs.sh "$run_dir" -n 1 w0 | grep -q '^\[w0\] ' || fail "tail-logs.sh shows no w0 line"

rm -rf "$tmp"
echo "test-local-cluster: OK"

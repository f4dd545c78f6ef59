#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Stop the nodes of a cluster started by start-cluster.sh: SIGTERM to every node still running,
# wait, SIGKILL what is left after the timeout. Reports what happened to each node.
#
#   scripts/stop-cluster.sh RUN_DIR [--timeout SECONDS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=cluster-common.sh
source "$here/cluster-common.sh"

run_dir="" timeout=30
while (($#)); do
  case $1 in
    --timeout) timeout=${2:?}; shift ;;
    -h | --help) echo "usage: $(basename "$0") RUN_DIR [--timeout SECONDS]"; exit 2 ;;
    -*) die "unknown option '$1'" ;;
    *) run_dir=$1 ;;
  esac
  shift
done
[[ -n $run_dir ]] || die "usage: $(basename "$0") RUN_DIR [--timeout SECONDS]"
[[ $timeout =~ ^[0-9]+$ ]] || die "--timeout must be whole seconds, got '$timeout'"
read_nodes "$run_dir"

pids=()
for i in "${!NODE_NAMES[@]}"; do
  name=${NODE_NAMES[i]} host=${NODE_HOSTS[i]}
  pid=$(alive_pid "$host" "$run_dir/$name.pid")
  pids+=("$pid")
  if [[ -n $pid ]]; then
    on_host "$host" "kill -TERM $pid" || true
    echo "$name on $host: sent SIGTERM to pid $pid"
  else
    echo "$name on $host: not running"
  fi
done

deadline=$((SECONDS + timeout))
status=0
for i in "${!NODE_NAMES[@]}"; do
  name=${NODE_NAMES[i]} host=${NODE_HOSTS[i]} pid=${pids[i]}
  [[ -n $pid ]] || continue
  while [[ -n $(alive_pid "$host" "$run_dir/$name.pid") ]] && ((SECONDS < deadline)); do
    sleep 1
  done
  if [[ -n $(alive_pid "$host" "$run_dir/$name.pid") ]]; then
    on_host "$host" "kill -KILL $pid" || true
    sleep 1
    if [[ -n $(alive_pid "$host" "$run_dir/$name.pid") ]]; then
      echo "$name on $host: pid $pid survived SIGKILL" >&2
      status=1
    else
      echo "$name on $host: killed pid $pid (SIGKILL after ${timeout} s)"
    fi
  else
    echo "$name on $host: stopped (pid $pid)"
  fi
done
exit "$status"

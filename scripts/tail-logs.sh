#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Show the logs of a cluster started by start-cluster.sh, each line prefixed by its node.
#
#   scripts/tail-logs.sh RUN_DIR [-f] [-n LINES] [NODE...]     (NODE: coordinator, w0, w1, ...)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=cluster-common.sh
source "$here/cluster-common.sh"

run_dir="" follow=false lines=20 only=()
while (($#)); do
  case $1 in
    -f | --follow) follow=true ;;
    -n) lines=${2:?}; shift ;;
    -h | --help) echo "usage: $(basename "$0") RUN_DIR [-f] [-n LINES] [NODE...]"; exit 2 ;;
    -*) die "unknown option '$1'" ;;
    *) if [[ -z $run_dir ]]; then run_dir=$1; else only+=("$1"); fi ;;
  esac
  shift
done
[[ -n $run_dir ]] || die "usage: $(basename "$0") RUN_DIR [-f] [-n LINES] [NODE...]"
[[ $lines =~ ^[0-9]+$ ]] || die "-n must be a number of lines, got '$lines'"
read_nodes "$run_dir"
for want in "${only[@]}"; do
  [[ " ${NODE_NAMES[*]} " == *" $want "* ]] || die "no node '$want' in $run_dir (have: ${NODE_NAMES[*]})"
done

tail_opts="-n $lines"
$follow && tail_opts="$tail_opts -F"
children=()
trap 'kill "${children[@]}" 2>/dev/null || true' EXIT INT TERM
for i in "${!NODE_NAMES[@]}"; do
  name=${NODE_NAMES[i]} host=${NODE_HOSTS[i]}
  if ((${#only[@]})) && [[ " ${only[*]} " != *" $name "* ]]; then continue; fi
  log=$(printf '%q' "$run_dir/$name.log")
  if $follow; then
    on_host "$host" "tail $tail_opts $log" | sed -u "s/^/[$name] /" &
    children+=($!)
  else
    on_host "$host" "tail $tail_opts $log" | sed "s/^/[$name] /"
  fi
done
if $follow; then wait; fi

#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Start a relreason parameter server: one coordinator and N workers, on this machine (--local) or
# on the hosts listed in a file (ssh). Prints the run directory that stop-cluster.sh and
# tail-logs.sh take.
#
#   scripts/start-cluster.sh --local --workers 2 --set max-steps=20
#   scripts/start-cluster.sh --hosts hosts.txt --workers 4 --tls-dir tls --config run.json
#
# Every event-bus message is authenticated with a run secret (HMAC, --cluster-secret-file): given
# with --secret-file, else generated (mode 0600) as RUN_DIR/cluster-secret and copied to each host.
#
# hosts file: one host per line (# comments allowed). The first line runs the coordinator; the
# workers are spread round-robin over the other lines (over the first one too when it is alone).
# Every host must reach the others on the Hazelcast ports and on the event-bus port.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=cluster-common.sh
source "$here/cluster-common.sh"

usage() {
  cat <<USAGE
usage: $(basename "$0") (--local | --hosts FILE) [options] [-- extra args for every node]
  --workers N          workers to start (default 2)
  --run-dir DIR        where pid and log files go (default runs/cluster-<time>)
  --cluster-name NAME  Hazelcast cluster name (default relreason)
  --hz-port PORT       first Hazelcast port (default 5701; --local gives node i port PORT+i)
  --mode images|views  sharding mode of the coordinator (default images)
  --config FILE        run configuration JSON for every node
  --set KEY=VALUE      configuration key for every node (repeatable)
  --tls-dir DIR        event-bus TLS from gen-tls.sh: DIR/NAME.p12, DIR/truststore.p12, DIR/password
  --secret-file FILE   the run secret every node shares (readable by its owner only; at the same
                       path on every host); default: a new one in RUN_DIR/cluster-secret
  --metrics-port PORT  metrics port of the coordinator (default 9400); node i gets PORT+i; 0 = off
  --dashboard-port P   dashboard port of the coordinator (default 8080; 0 = off)
env: RELREASON_HOME (checkout with ./relreason on every host; default this one),
     RELREASON_SSH (default: ssh -o BatchMode=yes -o ConnectTimeout=10)
USAGE
  exit 2
}

local_mode=false hosts_file="" workers=2 run_dir="" cluster_name=relreason hz_port=5701
mode=images config="" tls_dir="" secret_file="" metrics_port=9400 dashboard_port=8080
sets=() extra=() copied=()
while (($#)); do
  case $1 in
    --local) local_mode=true ;;
    --hosts) hosts_file=${2:?--hosts needs a file}; shift ;;
    --workers) workers=${2:?}; shift ;;
    --run-dir) run_dir=${2:?}; shift ;;
    --cluster-name) cluster_name=${2:?}; shift ;;
    --hz-port) hz_port=${2:?}; shift ;;
    --mode) mode=${2:?}; shift ;;
    --config) config=${2:?}; shift ;;
    --set) sets+=(--set "${2:?--set needs key=value}"); shift ;;
    --tls-dir) tls_dir=${2:?}; shift ;;
    --secret-file) secret_file=${2:?}; shift ;;
    --metrics-port) metrics_port=${2:?}; shift ;;
    --dashboard-port) dashboard_port=${2:?}; shift ;;
    --) shift; extra=("$@"); break ;;
    -h | --help) usage ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done

[[ $workers =~ ^[1-9][0-9]*$ ]] || die "--workers must be a positive integer, got '$workers'"
[[ $hz_port =~ ^[0-9]+$ ]] || die "--hz-port must be a port number, got '$hz_port'"
[[ $metrics_port =~ ^[0-9]+$ ]] || die "--metrics-port must be a port number, got '$metrics_port'"
[[ $dashboard_port =~ ^[0-9]+$ ]] || die "--dashboard-port must be a port number, got '$dashboard_port'"
home=${RELREASON_HOME:-$(cd "$here/.." && pwd)}

hosts=()
if $local_mode; then
  [[ -z $hosts_file ]] || die "give either --local or --hosts, not both"
  [[ -f $home/cli/target/relreason-cli.jar ]] ||
    die "$home/cli/target/relreason-cli.jar is missing: build it with mvn -B -q package -DskipTests"
else
  [[ -n $hosts_file ]] || usage
  [[ -f $hosts_file ]] || die "hosts file '$hosts_file' does not exist"
  while read -r line; do
    line=${line%%#*}
    line=${line//[[:space:]]/}
    [[ -n $line ]] && hosts+=("$line")
  done <"$hosts_file"
  ((${#hosts[@]})) || die "hosts file '$hosts_file' lists no host"
fi
if [[ -n $config ]]; then
  [[ -f $config ]] || die "--config file '$config' does not exist"
  config=$(cd "$(dirname "$config")" && pwd)/$(basename "$config")
fi
if [[ -n $tls_dir ]]; then
  tls_dir=$(cd "$tls_dir" && pwd) || die "--tls-dir '$tls_dir' does not exist"
  for f in truststore.p12 password; do
    [[ -f $tls_dir/$f ]] || die "--tls-dir: $tls_dir/$f is missing (make it with scripts/gen-tls.sh)"
  done
fi

if [[ -n $secret_file ]]; then
  [[ -f $secret_file ]] || die "--secret-file '$secret_file' does not exist"
  secret_file=$(cd "$(dirname "$secret_file")" && pwd)/$(basename "$secret_file")
fi

run_dir=${run_dir:-$home/runs/cluster-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$run_dir"
run_dir=$(cd "$run_dir" && pwd)
[[ ! -s $run_dir/nodes ]] || die "$run_dir already holds a cluster (stop it, or pick another --run-dir)"

# The run secret: 32 random bytes as hex, readable by this user only (the nodes refuse anything
# looser). Never echoed: it goes to the hosts on ssh's stdin.
copy_secret=false
if [[ -z $secret_file ]]; then
  secret_file=$run_dir/cluster-secret
  (umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$secret_file")
  chmod 600 "$secret_file"
  copy_secret=true
fi

# Node names, hosts (as seen by ssh) and bind addresses; coordinator first.
names=(coordinator) where=() binds=()
for ((i = 0; i < workers; i++)); do names+=("w$i"); done
for ((i = 0; i <= workers; i++)); do
  if $local_mode; then
    where+=(local) binds+=(127.0.0.1)
  else
    if ((i == 0 || ${#hosts[@]} == 1)); then h=${hosts[0]}; else h=${hosts[1 + (i - 1) % (${#hosts[@]} - 1)]}; fi
    where+=("$h") binds+=("${h#*@}")
  fi
done

# The Hazelcast join list. Locally every node gets its own port, all listed, so the join does not
# depend on which ports other clusters on this machine hold.
members=()
if $local_mode; then
  for ((i = 0; i <= workers; i++)); do members+=("127.0.0.1:$((hz_port + i))"); done
else
  for h in "${binds[@]}"; do [[ " ${members[*]} " == *" $h "* ]] || members+=("$h"); done
fi
member_list=$(IFS=,; echo "${members[*]}")

: >"$run_dir/nodes"
for ((i = 0; i <= workers; i++)); do
  name=${names[i]}
  port=$hz_port
  $local_mode && port=$((hz_port + i))
  args=(--host "${binds[i]}" --members "$member_list" --hz-port "$port" --cluster-name "$cluster_name"
    --cluster-secret-file "$secret_file")
  [[ -n $config ]] && args+=(--config "$config")
  if [[ -n $tls_dir ]]; then
    args+=(--tls-key-store "$tls_dir/$name.p12" --tls-trust-store "$tls_dir/truststore.p12"
      --tls-password-file "$tls_dir/password")
  fi
  # every node its own metrics port, so that several on one host do not collide
  if ((metrics_port == 0)); then
    args+=(--metrics-port 0)
  else
    args+=(--metrics-port "$((metrics_port + i))")
  fi
  if ((i == 0)); then
    role=(coordinator --workers "$workers" --mode "$mode" --dashboard-port "$dashboard_port")
  else
    role=(worker --id "$name")
  fi
  cmd=$(printf '%q ' ./relreason "${role[@]}" "${args[@]}" "${sets[@]}" "${extra[@]}")
  log=$run_dir/$name.log pid=$run_dir/$name.pid
  if $copy_secret && [[ ${where[i]} != local && " ${copied[*]:-} " != *" ${where[i]} "* ]]; then
    # through a variable: on a shared home the remote write would truncate the file being read
    secret=$(<"$secret_file")
    printf '%s' "$secret" | on_host "${where[i]}" "mkdir -p $(printf '%q' "$run_dir") &&
      umask 077 && cat >$(printf '%q' "$secret_file").tmp && mv $(printf '%q' "$secret_file").tmp $(printf '%q' "$secret_file")"
    copied+=("${where[i]}")
  fi
  # ./relreason execs java, so $! is the JVM itself: stop-cluster.sh signals it directly.
  on_host "${where[i]}" "mkdir -p $(printf '%q' "$run_dir") && cd $(printf '%q' "$home") &&
    { nohup $cmd >$(printf '%q' "$log") 2>&1 </dev/null & echo \$! >$(printf '%q' "$pid"); }"
  echo "$name ${where[i]}" >>"$run_dir/nodes"
  echo "started $name on ${where[i]} (log $log)" >&2
done
echo "$run_dir"

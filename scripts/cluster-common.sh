#!/usr/bin/env bash
# Shared by start-cluster.sh, stop-cluster.sh and tail-logs.sh (sourced, not run).
#
# A run directory holds one line per node in `nodes`: NAME HOST. HOST is `local` for this machine,
# else an ssh destination. Each node writes NAME.log and NAME.pid under the run directory on its
# host (the same path everywhere: RELREASON_HOME and the run directory must exist at the same
# place on every host, as with a shared home or a checkout at the same path).

RELREASON_SSH=${RELREASON_SSH:-ssh -o BatchMode=yes -o ConnectTimeout=10}

die() {
  echo "$(basename "$0"): $*" >&2
  exit 2
}

# on_host HOST COMMAND: run a shell command on HOST (locally when HOST is `local`).
on_host() {
  local host=$1 cmd=$2
  if [[ $host == local ]]; then
    bash -c "$cmd"
  else
    # shellcheck disable=SC2086 # RELREASON_SSH is a command line with options
    $RELREASON_SSH "$host" "bash -c $(printf '%q' "$cmd")"
  fi
}

# read_nodes RUN_DIR: fill the arrays NODE_NAMES and NODE_HOSTS from RUN_DIR/nodes.
read_nodes() {
  local run_dir=$1 name host
  [[ -f $run_dir/nodes ]] || die "$run_dir/nodes is missing: is $run_dir a run directory of start-cluster.sh?"
  NODE_NAMES=()
  NODE_HOSTS=()
  while read -r name host; do
    [[ -z $name || $name == \#* ]] && continue
    NODE_NAMES+=("$name")
    NODE_HOSTS+=("$host")
  done <"$run_dir/nodes"
}

# A node's pid if the process is still a relreason JVM (guards against a recycled pid).
# alive_pid HOST PID_FILE
alive_pid() {
  on_host "$1" "pid=\$(cat $(printf '%q' "$2") 2>/dev/null) && ps -o args= -p \"\$pid\" 2>/dev/null | grep -q relreason-cli.jar && echo \"\$pid\"" || true
}

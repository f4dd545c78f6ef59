#!/usr/bin/env bash
# README's first command: everything a fresh Debian machine needs, then the quick-start run.
#   scripts/quickstart.sh                 # the quick start of README.md
#   scripts/quickstart.sh --epochs 3      # extra arguments go to `relreason train`; an option
#                                         # given here replaces the quick start's own
# Installs Java/Maven and the Fashion-MNIST package when missing (as root with apt-get; otherwise
# says what to install), builds the jar when it is missing or older than a source, then trains.
# RELREASON_DRY_RUN=1 prints the build and train commands instead of running them.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/setup-common.sh
source scripts/setup-common.sh

ensure_java_maven
ensure_packages dataset-fashion-mnist

jar=cli/target/relreason-cli.jar
# stale: any pom or main source (or resource) newer than the jar
if [[ ! -f $jar ]] || [[ -n $(find . -path ./.git -prune -o -path '*/target' -prune -o \
  \( -name pom.xml -o -path '*/src/main/*' -o -path './.mvn/*' \) -type f -newer "$jar" -print -quit) ]]; then
  echo "quickstart: building $jar (mvn -B -q package -DskipTests)" >&2
  if [[ -z ${RELREASON_DRY_RUN:-} ]]; then
    mvn -B -q package -DskipTests || setup_die "the build failed (see Maven's message above)"
  fi
fi

# The quick start's options, each dropped when the caller gives it (picocli refuses an option twice).
defaults=(--workers 2 --epochs 1 --with-random-baseline "" --result-file runs/fmnist.json)
args=()
for ((i = 0; i < ${#defaults[@]}; i += 2)); do
  opt=${defaults[i]} given=
  for a in "$@"; do
    [[ $a == "$opt" || $a == "$opt="* ]] && given=1
  done
  [[ -n $given ]] && continue
  args+=("$opt")
  [[ -n ${defaults[i + 1]} ]] && args+=("${defaults[i + 1]}")
done
if [[ -n ${RELREASON_DRY_RUN:-} ]]; then
  echo ./relreason train "${args[@]}" "$@"
  exit 0
fi
exec ./relreason train "${args[@]}" "$@"

#!/usr/bin/env bash
# Tests of quickstart.sh and test.sh that need no network and change nothing on the machine:
# where a package cannot be installed (not root; root without apt-get) both stop with one line that
# names the package and the command to install it, and no stack trace; quickstart's own options
# give way to the caller's. A missing package is simulated with RELREASON_ASSUME_MISSING, so the
# real packages stay installed. Run by .ci/run; needs setpriv (util-linux) and root.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# expect_refusal NAME PACKAGE REASON COMMAND...: exit 2, one stderr line naming PACKAGE and REASON.
expect_refusal() {
  local name=$1 pkg=$2 reason=$3 rc=0
  shift 3
  "$@" >"$work/out" 2>"$work/err" || rc=$?
  local lines
  lines=$(wc -l <"$work/err")
  if [[ $rc -ne 2 || $lines -ne 1 ]] || ! grep -q "apt-get install -y .*$pkg" "$work/err" ||
    ! grep -q "$reason" "$work/err" || grep -qi 'exception\|at org\.' "$work/err"; then
    echo "FAIL $name: exit $rc, $lines stderr line(s):" >&2
    cat "$work/err" >&2
    fail=$((fail + 1))
  else
    echo "ok   $name: $(cat "$work/err")"
  fi
}

as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env)
expect_refusal "quickstart, not root" dataset-fashion-mnist "not root" \
  "${as_nobody[@]}" env RELREASON_ASSUME_MISSING=dataset-fashion-mnist scripts/quickstart.sh
expect_refusal "test.sh, not root" "chromium chromium-driver" "not root" \
  "${as_nobody[@]}" env RELREASON_ASSUME_MISSING="chromium chromium-driver" scripts/test.sh

# root, but a PATH without apt-get: every other command of /usr/bin through symlinks
mkdir "$work/bin"
for f in /usr/bin/*; do
  [[ $(basename "$f") == apt-get ]] || ln -s "$f" "$work/bin/"
done
expect_refusal "quickstart, no apt-get" dataset-fashion-mnist "no apt-get on PATH" \
  env PATH="$work/bin" RELREASON_ASSUME_MISSING=dataset-fashion-mnist scripts/quickstart.sh
expect_refusal "test.sh, no apt-get" dataset-fashion-mnist "no apt-get on PATH" \
  env PATH="$work/bin" RELREASON_ASSUME_MISSING=dataset-fashion-mnist scripts/test.sh

# the caller's options replace quickstart's own, the others stay
got=$(RELREASON_DRY_RUN=1 scripts/quickstart.sh --epochs 3 --result-file=runs/x.json --seed 7 2>/dev/null)
want="./relreason train --workers 2 --with-random-baseline --epochs 3 --result-file=runs/x.json --seed 7"
if [[ $got != "$want" ]]; then
  echo "FAIL quickstart options: got '$got', want '$want'" >&2
  fail=$((fail + 1))
else
  echo "ok   quickstart options: $got"
fi

if ((fail)); then
  echo "test-setup-scripts: $fail failed" >&2
  exit 1
fi
echo "test-setup-scripts: all passed"

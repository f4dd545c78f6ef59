#!/usr/bin/env bash
# Shared by quickstart.sh and test.sh (sourced, not run): installs the Debian packages a command
# needs when they are missing, or stops with one line saying what to install when it cannot
# (not root, or no apt-get).
#
# RELREASON_ASSUME_MISSING="pkg ..." makes the package check report those packages as missing even
# when they are installed: the tests of these scripts use it to take the install path without
# removing packages from a shared machine.

setup_die() {
  echo "$(basename "$0"): $*" >&2
  exit 2
}

# package_installed PKG: true when dpkg knows PKG as installed (and it is not forced missing).
package_installed() {
  local pkg=$1 forced
  for forced in ${RELREASON_ASSUME_MISSING:-}; do
    [[ $forced == "$pkg" ]] && return 1
  done
  command -v dpkg-query >/dev/null || return 1
  [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) == "install ok installed" ]]
}

# ensure_packages PKG...: apt-get install the missing ones (as root with apt-get), else stop.
ensure_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    package_installed "$pkg" || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    local why="not root"
    [[ $(id -u) -eq 0 ]] && why="no apt-get on PATH"
    setup_die "missing Debian package(s) ${missing[*]} and cannot install them here ($why); as root run: apt-get install -y ${missing[*]}"
  fi
  echo "$(basename "$0"): installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || setup_die "apt-get update failed; fix the apt sources, then run: apt-get install -y ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    setup_die "apt-get install ${missing[*]} failed (see apt's message above)"
}

# ensure_java_maven: Java 17+ and Maven on PATH, installed from Debian when missing and possible.
ensure_java_maven() {
  local want=()
  command -v java >/dev/null || want+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null || want+=(maven)
  ((${#want[@]})) && ensure_packages "${want[@]}"
  local version
  version=$(java -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/{print $2}')
  [[ ${version%%.*} =~ ^[0-9]+$ && ${version%%.*} -ge 17 ]] ||
    setup_die "Java 17 or later is needed, found '${version:-none}' ($(command -v java)); install openjdk-17-jdk-headless"
}

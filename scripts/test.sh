#!/usr/bin/env bash
# README's test command (the one .ci/run runs): installs what the tests need when it is missing,
# then `mvn -B verify` (extra arguments go to Maven, e.g. `scripts/test.sh -pl model -am`).
#   dataset-fashion-mnist       the Fashion-MNIST tests read the real data set
#   chromium, chromium-driver   the dashboard's browser test (Selenium, headless, no downloads)
#   curl                        .ci/run's launch-script test reads a coordinator's /metrics
#   iproute2, nftables          NetnsPartitionTest: workers in network namespaces (ip netns), packet
#                               loss inside one (nft)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/setup-common.sh
source scripts/setup-common.sh

ensure_java_maven
ensure_packages dataset-fashion-mnist chromium chromium-driver curl iproute2 nftables
exec mvn -B verify "$@"

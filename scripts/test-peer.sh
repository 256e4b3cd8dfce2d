#!/usr/bin/env bash
# `npm run test:peer`: the suites that run meshgate beside Istio itself (test/cluster/suite/peer-*):
# istiod (pilot-discovery) and istioctl, built from istio/istio outside this project, named by
#   ISTIOD_BIN=/path/to/pilot-discovery ISTIOCTL_BIN=/path/to/istioctl
# and optionally MESHGATE_ISTIO_CONFIG (the output of `istioctl manifest generate`; rendered with
# $ISTIOCTL_BIN when unset). docs/compatibility.md says how the peer was built. Without the binaries
# this prints what is missing and exits 0; `npm run test:cluster` runs the same suites when they are set.
#
#   npm run test:peer                  every peer suite
#   npm run test:peer -- validation    only peer suites whose names contain these words
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -n "${ISTIOD_BIN:-}" ] || missing+=(ISTIOD_BIN)
[ -n "${ISTIOCTL_BIN:-}" ] || missing+=(ISTIOCTL_BIN)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test-peer: skipped: ${missing[*]} not set (paths of istiod's pilot-discovery and istioctl built from istio/istio; see docs/compatibility.md)"
  exit 0
fi

words=()
for word in "$@"; do words+=("peer-$word"); done
[ ${#words[@]} -gt 0 ] || words=(peer-)
exec scripts/test-cluster.sh "${words[@]}"

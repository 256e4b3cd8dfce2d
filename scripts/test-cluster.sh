#!/usr/bin/env bash
# `npm run test:cluster`: the suite against a real control plane. Builds (or reuses) the Kubernetes
# binaries with scripts/kube-assets.sh (which honours KUBEBUILDER_ASSETS), compiles, and runs the
# suite's files one at a time (each starts its own control plane; the machine may have two cores).
#
#   npm run test:cluster                         everything
#   npm run test:cluster -- injection analyze    only the files whose names contain these words
set -euo pipefail
cd "$(dirname "$0")/.."

KUBEBUILDER_ASSETS="$(scripts/kube-assets.sh)"
export KUBEBUILDER_ASSETS

npm run build --silent
npx tsc -p test/cluster/tsconfig.json

files=()
for file in dist/cluster-suite/test/cluster/suite/*.test.js; do
  if [ $# -eq 0 ]; then files+=("$file"); continue; fi
  for word in "$@"; do
    case "$(basename "$file")" in *"$word"*) files+=("$file"); break ;; esac
  done
done
[ ${#files[@]} -gt 0 ] || { echo "test-cluster: no suite file matches: $*" >&2; exit 2; }

exec node --test --test-concurrency=1 "${files[@]}"

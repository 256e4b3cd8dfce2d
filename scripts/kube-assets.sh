#!/usr/bin/env bash
# Produces etcd, kube-apiserver, kube-controller-manager and kubectl for one pinned Kubernetes release and
# prints the directory that holds them (the only line on stdout; progress goes to stderr).
#
#   scripts/kube-assets.sh            build once into the cache, reuse afterwards
#   scripts/kube-assets.sh --no-build print the directory when the binaries are there, else exit 3
#   KUBEBUILDER_ASSETS=DIR ...        use DIR as it is (envtest's convention) and build nothing
#
# Kubernetes' own go.mod points its ~33 staging modules (k8s.io/api, client-go, ...) at ./staging with
# version v0.0.0, so `go install k8s.io/kubernetes/cmd/...@v1.x` is refused. The binaries are built from a
# throwaway module that pins every staging module to its published v0.x twin with replace lines, never in
# the project's tree.
set -euo pipefail

KUBE_VERSION="${MESHGATE_KUBE_VERSION:-v1.36.3}"
ETCD_VERSION="${MESHGATE_ETCD_VERSION:-v3.6.8}"   # the etcd release Kubernetes v1.36.3's go.mod requires
BINARIES=(etcd kube-apiserver kube-controller-manager kubectl)

NO_BUILD=false
case "${1:-}" in
  "") ;;
  --no-build) NO_BUILD=true ;;
  -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
  *) printf 'kube-assets: unknown argument "%s" (try --help)\n' "$1" >&2; exit 2 ;;
esac

log() { printf 'kube-assets: %s\n' "$*" >&2; }
die() { printf 'kube-assets: error: %s\n' "$*" >&2; exit 1; }

missing_in() {
  local dir="$1" missing=()
  for b in "${BINARIES[@]}"; do [ -x "$dir/$b" ] || missing+=("$b"); done
  echo "${missing[*]:-}"
}

if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
  [ -d "$KUBEBUILDER_ASSETS" ] || die "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS is not a directory"
  missing=$(missing_in "$KUBEBUILDER_ASSETS")
  [ -z "$missing" ] || die "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks: $missing (envtest's setup-envtest ships no kube-controller-manager); add them there, or unset KUBEBUILDER_ASSETS to build all four into the cache"
  log "using KUBEBUILDER_ASSETS as it is"
  echo "$KUBEBUILDER_ASSETS"
  exit 0
fi

CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/meshgate/kube-${KUBE_VERSION}"
cached() { [ -z "$(missing_in "$CACHE_DIR")" ] && [ -f "$CACHE_DIR/.complete" ]; }
if cached; then
  log "reusing $CACHE_DIR"
  echo "$CACHE_DIR"
  exit 0
fi
if $NO_BUILD; then
  log "no Kubernetes $KUBE_VERSION binaries in $CACHE_DIR (run scripts/kube-assets.sh to build them, or set KUBEBUILDER_ASSETS)"
  exit 3
fi

command -v go >/dev/null 2>&1 || die "Go is needed to build the Kubernetes test binaries (or set KUBEBUILDER_ASSETS to a directory holding ${BINARIES[*]})"

# One build at a time per cache: a second caller waits for the first and then reuses its result.
mkdir -p "$(dirname "$CACHE_DIR")"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE_DIR.lock"
  if ! flock -n 9; then
    log "another build into $CACHE_DIR is running; waiting for it"
    flock 9
  fi
  if cached; then
    log "reusing $CACHE_DIR"
    echo "$CACHE_DIR"
    exit 0
  fi
fi

started=$(date +%s)
work=$(mktemp -d "${TMPDIR:-/tmp}/meshgate-kube-build.XXXXXX")
trap 'rm -rf "$work" "${partial:-}"' EXIT
partial="$CACHE_DIR.partial"
rm -rf "$partial"; mkdir -p "$partial"

export CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
minor="${KUBE_VERSION#v1.}"; minor="${minor%%.*}"
staging_version="v0.${KUBE_VERSION#v1.}"

# --- Kubernetes ---------------------------------------------------------------------------------
log "building Kubernetes $KUBE_VERSION (staging modules at $staging_version) in $work/kube"
mkdir -p "$work/kube" && cd "$work/kube"
gomod_file=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
[ -f "$gomod_file" ] || die "could not download k8s.io/kubernetes@$KUBE_VERSION from the Go module proxy"
go_line=$(grep -m1 '^go ' "$gomod_file")
{
  echo "module meshgate.local/kube-assets"
  echo
  echo "$go_line"
  echo
  # Every staging module the release points at ./staging, pinned to its published twin.
  sed -n 's#^[[:space:]]*\(k8s\.io/[^ ]*\) => \./staging/.*#\1#p' "$gomod_file" | sort -u |
    while read -r m; do echo "replace $m => $m $staging_version"; done
} > go.mod
count=$(grep -c '^replace' go.mod)
[ "$count" -gt 20 ] || die "found only $count staging modules in $gomod_file"
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
go get "k8s.io/kubernetes@$KUBE_VERSION" >&2
# tidy resolves what the three commands import; a bare `go get pkg` here would move k8s.io/kubernetes
# to its newest release, whose packages the pinned staging modules lack.
go mod tidy >&2

ldflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
for cmd in kube-apiserver kube-controller-manager kubectl; do
  log "go build $cmd"
  go build -trimpath -ldflags "-s -w $ldflags" -o "$partial/$cmd" "k8s.io/kubernetes/cmd/$cmd"
done

# --- etcd ---------------------------------------------------------------------------------------
log "building etcd $ETCD_VERSION in $work/etcd"
mkdir -p "$work/etcd" && cd "$work/etcd"
go mod init meshgate.local/etcd-assets >/dev/null 2>&1
go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >&2
go build -trimpath -ldflags "-s -w" -o "$partial/etcd" go.etcd.io/etcd/server/v3

# The release each binary reports must be the pinned one (version ldflags took effect).
reported=$("$partial/kube-apiserver" --version 2>&1 || true)
[ "$reported" = "Kubernetes $KUBE_VERSION" ] || die "kube-apiserver reports \"$reported\", expected Kubernetes $KUBE_VERSION"
"$partial/kubectl" version --client 2>&1 | grep -q "Client Version: $KUBE_VERSION" || die "kubectl does not report $KUBE_VERSION"
"$partial/etcd" --version 2>&1 | grep -q "etcd Version: ${ETCD_VERSION#v}" || die "etcd does not report ${ETCD_VERSION#v}"

rm -rf "$CACHE_DIR" && mv "$partial" "$CACHE_DIR"
echo "$KUBE_VERSION etcd $ETCD_VERSION built in $(( $(date +%s) - started ))s" > "$CACHE_DIR/.complete"
log "built in $(( $(date +%s) - started ))s: $(du -sh "$CACHE_DIR" | cut -f1) in $CACHE_DIR"
echo "$CACHE_DIR"

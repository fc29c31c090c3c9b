#!/usr/bin/env bash
# Shared helpers for the hack/ scripts. Source it; do not run it.
#
# Paths (all overridable from the environment):
#   LAMINA_CACHE  build cache outside the repository (Kubernetes binaries, npm builds)
#   LAMINA_STATE  the local cluster's state: data, logs, pid files, mounts
#   LAMINA_ROOT   the repository (derived from this file's location)

set -o errexit -o nounset -o pipefail

LAMINA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LAMINA_CACHE="${LAMINA_CACHE:-$HOME/.cache/lamina}"
# One cluster per machine: its state is not inside a clone, so any clone can reuse it.
LAMINA_STATE="${LAMINA_STATE:-/var/lib/lamina/cluster}"

# shellcheck source=../versions.env
source "$LAMINA_ROOT/hack/versions.env"

KUBE_BIN_DIR="$LAMINA_CACHE/kubernetes/$KUBERNETES_SOURCE_VERSION/bin.p$KUBERNETES_PATCH_LEVEL"
KUBE_BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)

# image_name COMPONENT: the full reference of one of the project's images, e.g. image_name operator
# -> docker.io/lamina/operator:dev. LAMINA_IMAGE_REPOSITORY and LAMINA_IMAGE_TAG name them for a
# real registry (docs/images.md). Full references because that is how Kubernetes spells lamina/x:dev.
image_name() {
  echo "${LAMINA_IMAGE_REPOSITORY:-docker.io/lamina}/$1:${LAMINA_IMAGE_TAG:-dev}"
}

log()  { printf '\033[1;34m[lamina]\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33m[lamina] warning:\033[0m %s\n' "$*" >&2; }
die()  { printf '\033[1;31m[lamina] error:\033[0m %s\n' "$*" >&2; exit 1; }

require_root() {
  [ "$(id -u)" -eq 0 ] || die "this step needs root (it installs packages, mounts and configures networking)"
}

# apt_install PKG...: installs the Debian packages that are missing; nothing when all are there.
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  require_root
  log "installing Debian packages: ${missing[*]}"
  local aptlog="$LAMINA_CACHE/logs/apt-install.log"
  mkdir -p "$(dirname "$aptlog")"
  if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; } >"$aptlog" 2>&1; then
    tail -n 20 "$aptlog" >&2
    die "could not install ${missing[*]} (log: $aptlog)"
  fi
}

# wait_for DESCRIPTION SECONDS COMMAND...: polls COMMAND until it succeeds or the deadline passes.
wait_for() {
  local what="$1" seconds="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
  log "$what: ok"
}

# pause_make_up_operator WHAT: make up's operator (lamina-system/lamina-operator, installed by the chart)
# watches every namespace, so beside tests or benchmarks that run operators of their own it would
# reconcile and scale their Functions too, each undoing the other. Scaled to 0 for the rest of this
# script and back to its replicas when the script exits.
pause_make_up_operator() {
  local kubeconfig="$LAMINA_ROOT/.lamina/kubeconfig"
  [ -f "$kubeconfig" ] || return 0
  PAUSED_UP_REPLICAS="$(kubectl --kubeconfig "$kubeconfig" -n lamina-system get deploy lamina-operator -o jsonpath='{.spec.replicas}' 2>/dev/null || true)"
  [ -n "$PAUSED_UP_REPLICAS" ] && [ "$PAUSED_UP_REPLICAS" != 0 ] || return 0
  log "pausing make up's operator (lamina-system/lamina-operator, $PAUSED_UP_REPLICAS replicas) during $1"
  kubectl --kubeconfig "$kubeconfig" -n lamina-system scale deploy/lamina-operator --replicas=0 >/dev/null
  kubectl --kubeconfig "$kubeconfig" -n lamina-system wait --for=delete pod -l app.kubernetes.io/component=operator --timeout=60s >/dev/null 2>&1 || true
  trap 'kubectl --kubeconfig "'"$kubeconfig"'" -n lamina-system scale deploy/lamina-operator --replicas="$PAUSED_UP_REPLICAS" >/dev/null && log "resumed make up'"'"'s operator"' EXIT
}

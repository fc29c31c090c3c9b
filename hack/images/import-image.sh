#!/usr/bin/env bash
# Loads oci-archive files into the local cluster's containerd (namespace k8s.io), where pods
# with imagePullPolicy Never or IfNotPresent find them. Nothing is ever pulled.
#   import-image.sh FILE.tar...
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
source "$LAMINA_ROOT/hack/cluster/layout.sh"

[ -S "$CONTAINERD_SOCKET" ] || die "the cluster's containerd is not running ($CONTAINERD_SOCKET missing): run make cluster-up"
for archive in "$@"; do
  ctr --address "$CONTAINERD_SOCKET" --namespace k8s.io images import --all-platforms "$archive" >/dev/null \
    || die "importing $archive into containerd failed"
  log "imported $(basename "$archive")"
done

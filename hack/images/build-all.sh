#!/usr/bin/env bash
# make images: builds every image of the project into $LAMINA_CACHE/images and, when the local
# cluster runs, imports them. Each image's build script skips work when its inputs are unchanged.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
source "$LAMINA_ROOT/hack/cluster/layout.sh"

archives=()
archives+=("$("$LAMINA_ROOT/hack/images/echo/build.sh")")
# The runtime shim and example runtime images join here as their issues land.

if [ -S "$CONTAINERD_SOCKET" ]; then
  "$LAMINA_ROOT/hack/images/import-image.sh" "${archives[@]}"
else
  log "the local cluster is not running: images built but not imported (make cluster-up imports them next time)"
fi

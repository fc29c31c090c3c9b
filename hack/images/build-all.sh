#!/usr/bin/env bash
# make images: builds every image of the project into $LAMINA_CACHE/images and, when the local
# cluster runs, imports them. Each image's build script skips work when its inputs are unchanged.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
source "$LAMINA_ROOT/hack/cluster/layout.sh"

archives=()
archives+=("$("$LAMINA_ROOT/hack/images/echo/build.sh")")
archives+=("$("$LAMINA_ROOT/hack/images/runtime-shim/build.sh")")
archives+=("$("$LAMINA_ROOT/hack/images/example-provided/build.sh")")
archives+=("$("$LAMINA_ROOT/hack/images/example-node/build.sh")")
# The managed runtimes a zip function runs on (docs/runtimes.md).
archives+=("$("$LAMINA_ROOT/hack/images/runtime-nodejs22/build.sh")")
archives+=("$("$LAMINA_ROOT/hack/images/runtime-python311/build.sh")")
archives+=("$("$LAMINA_ROOT/hack/images/runtime-provided/build.sh")")
# Lamina's own programs, for the Helm chart (docs/images.md).
archives+=("$("$LAMINA_ROOT/hack/images/operator/build.sh")")
archives+=("$("$LAMINA_ROOT/hack/images/gateway/build.sh")")
archives+=("$("$LAMINA_ROOT/hack/images/redis/build.sh")")
archives+=("$("$LAMINA_ROOT/hack/images/registry/build.sh")")

# A socket file can outlive its containerd (a killed cluster): ask containerd itself.
if [ -S "$CONTAINERD_SOCKET" ] && ctr --address "$CONTAINERD_SOCKET" version >/dev/null 2>&1; then
  "$LAMINA_ROOT/hack/images/import-image.sh" "${archives[@]}"
else
  log "the local cluster is not running: images built but not imported (make cluster-up imports them next time)"
fi

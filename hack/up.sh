#!/usr/bin/env bash
# make up, after the cluster and images are in place: installs Lamina, deploys the example
# functions and invokes one. The pieces arrive issue by issue; this says which are missing.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$LAMINA_ROOT/hack/cluster/layout.sh"

kubectl_admin get node "$NODE_NAME" >/dev/null || die "the cluster does not answer (make cluster-status)"
log "the local cluster runs and the images are imported"
log "not implemented yet: installing the operator and gateway, deploying examples/ and invoking one (operator, shim and gateway issues)"
echo "export KUBECONFIG=$REPO_KUBECONFIG"

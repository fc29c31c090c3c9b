#!/usr/bin/env bash
# make up, after the cluster and images are in place: installs Lamina, deploys the example
# functions and invokes one. The pieces arrive issue by issue; this says which are missing.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$LAMINA_ROOT/hack/cluster/layout.sh"

kubectl_admin get node "$NODE_NAME" >/dev/null || die "the cluster does not answer (make cluster-status)"
log "the local cluster runs and the images are imported"
kubectl_admin apply -f "$LAMINA_ROOT/crds/" >/dev/null || die "installing the CRDs failed"
log "installed the Function CRD (kubectl get functions)"
log "not implemented yet: running the operator and gateway in the cluster, deploying examples/ and invoking one (shim, gateway and chart issues); run the operator on this machine with: make run-operator"
echo "export KUBECONFIG=$REPO_KUBECONFIG"

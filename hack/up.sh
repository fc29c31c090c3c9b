#!/usr/bin/env bash
# make up: Lamina installed by its Helm chart, the example functions deployed, one invoked.
#
# Where: the cluster KUBECONFIG names when it answers (a user's own cluster: the images must be in a
# registry it pulls from; the script says where), otherwise the local cluster, brought up first
# (make cluster-up) with the images built and imported (make images). Re-running is quick and safe:
# every step is an idempotent apply, and the pods roll only when an image's content changed.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$LAMINA_ROOT/hack/cluster/layout.sh"

RELEASE=lamina
NAMESPACE=lamina-system
CHART="$LAMINA_ROOT/charts/lamina"
CREDENTIALS="$LAMINA_ROOT/.lamina/credentials"
# The local cluster's gateway answers on this node port of 127.0.0.1 (kube-proxy routes localhost).
LOCAL_NODE_PORT=30080

step() { log "[$1/7] $2"; }

apt_install jq

# --- 1. the cluster ----------------------------------------------------------------------------
local_cluster=true
if [ -n "${KUBECONFIG:-}" ] && [ "$(readlink -f "${KUBECONFIG%%:*}")" != "$(readlink -f "$REPO_KUBECONFIG")" ]; then
  if kubectl version --request-timeout=10s >/dev/null 2>&1; then
    local_cluster=false
  else
    warn "KUBECONFIG=$KUBECONFIG names no cluster that answers: using the local cluster instead"
  fi
fi

if $local_cluster; then
  step 1 "the local cluster (make cluster-up; reused when it runs)"
  "$LAMINA_ROOT/hack/cluster/up.sh" >/dev/null
  export KUBECONFIG="$REPO_KUBECONFIG"
else
  step 1 "the cluster of KUBECONFIG: $(kubectl config current-context)"
fi

# --- 2. images ---------------------------------------------------------------------------------
repository="$(image_name operator)" && repository="${repository%/operator:*}"
tag="${LAMINA_IMAGE_TAG:-dev}"
if $local_cluster; then
  step 2 "images (built when their inputs changed, imported into the cluster's containerd)"
  "$LAMINA_ROOT/hack/images/build-all.sh" >/dev/null
else
  step 2 "images: this cluster pulls them from $repository (tag $tag)"
  cat >&2 <<PUSH
    Build and push them first (docs/images.md), for example:
      LAMINA_IMAGE_REPOSITORY=registry.example.com/lamina LAMINA_IMAGE_TAG=0.1.0 make images
      then push each archive in ${LAMINA_CACHE}/images with buildah push (docs/images.md shows how)
    and run make up with the same LAMINA_IMAGE_REPOSITORY and LAMINA_IMAGE_TAG.
PUSH
fi

# Programs that an earlier make up ran on this machine: the chart runs them in the cluster now.
for old in lamina-gateway lamina-operator lamina-redis; do
  if pid="$(pid_of "$old")"; then
    log "stopping $old (pid $pid), which an earlier make up ran on this machine"
    kill -TERM "$pid" 2>/dev/null || true
    rm -f "$PID_DIR/$old.pid"
  fi
done

# --- 3. the chart ------------------------------------------------------------------------------
step 3 "the chart: helm upgrade --install $RELEASE in $NAMESPACE (waits for every pod)"
helm="$("$LAMINA_ROOT/hack/helm.sh" | tail -n 1)"

# The CRD may be there already without Helm's ownership (applied by hand, by an earlier make up, or
# kept by crds.keep after another release was uninstalled): the release adopts it.
if kubectl get crd functions.lamina.dev >/dev/null 2>&1; then
  kubectl label --overwrite crd functions.lamina.dev app.kubernetes.io/managed-by=Helm >/dev/null
  kubectl annotate --overwrite crd functions.lamina.dev \
    meta.helm.sh/release-name="$RELEASE" meta.helm.sh/release-namespace="$NAMESPACE" >/dev/null
fi

# The volumes of the chart's StatefulSets on the local cluster, which has no storage provisioner: a
# hostPath PersistentVolume of StorageClass $LOCAL_STORAGE_CLASS, bound in advance to the claim the
# StatefulSet makes (data-<release>-<component>-0), in $LAMINA_STATE, so the data survives the pod's
# deletion (a drain, an eviction, an upgrade) and make up's re-runs; make cluster-down removes it with
# the rest. Redis keeps its append-only file there, the code store its zips.
LOCAL_STORAGE_CLASS=lamina-local
host_volume() { # COMPONENT SIZE
  local dir="$LAMINA_STATE/volumes/$1" claim="data-$RELEASE-$1-0" pv="$RELEASE-$1-data"
  mkdir -p "$dir"
  # hostPath volumes get no fsGroup: the chart's pods run as 65532 (its pod security context).
  chown 65532:65532 "$dir"
  chmod 0750 "$dir"
  kubectl apply -f - >/dev/null <<PV
apiVersion: v1
kind: PersistentVolume
metadata:
  name: $pv
  labels:
    app.kubernetes.io/part-of: lamina
spec:
  capacity:
    storage: $2
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: $LOCAL_STORAGE_CLASS
  volumeMode: Filesystem
  claimRef:
    namespace: $NAMESPACE
    name: $claim
  hostPath:
    path: $dir
    type: Directory
PV
  # A claim deleted since (helm uninstall keeps it; kubectl delete pvc does not) leaves the volume
  # Released with the old claim's uid: clear it so the next claim of the same name binds again.
  if [ "$(kubectl get pv "$pv" -o jsonpath='{.status.phase}')" = Released ]; then
    kubectl patch pv "$pv" --type json -p '[{"op":"remove","path":"/spec/claimRef/uid"},{"op":"remove","path":"/spec/claimRef/resourceVersion"}]' >/dev/null
  fi
}

redis_volume() {
  host_volume redis 1Gi
  # A StatefulSet from an earlier make up kept its data in an emptyDir; its volumeClaimTemplates cannot
  # be changed in place, so it is deleted without its pod (the release makes it again, and the pod
  # rolls onto the volume; what the emptyDir held is lost this once).
  if kubectl -n "$NAMESPACE" get statefulset "$RELEASE-redis" >/dev/null 2>&1 \
    && [ -z "$(kubectl -n "$NAMESPACE" get statefulset "$RELEASE-redis" -o jsonpath='{.spec.volumeClaimTemplates[*].metadata.name}')" ]; then
    # Its pod goes too: a pod kept with --cascade=orphan is adopted by the new StatefulSet, which cannot
    # change its volumes in place, so helm --wait would wait for it forever. The emptyDir's events go with it.
    log "Redis' StatefulSet has no volume claim (an emptyDir from an earlier make up): making it again with the volume (events stored in the emptyDir are dropped)"
    kubectl -n "$NAMESPACE" delete statefulset "$RELEASE-redis" --wait=true >/dev/null
    kubectl -n "$NAMESPACE" wait --for=delete pod "$RELEASE-redis-0" --timeout=120s >/dev/null 2>&1 || true
  fi
}

values=(
  --set "image.repository=$repository" --set "image.tag=$tag"
  # The generated access key for this machine's user, kept across upgrades.
  --set auth.accessKey.create=true
)
if $local_cluster; then
  service_variable="$(echo "$RELEASE-gateway" | tr 'a-z-' 'A-Z_')" # the gateway Service's variables' prefix
  # The pods roll when an image's content changed although its tag did not (dev).
  digest="$(cat "$LAMINA_CACHE"/images/*.sha256 2>/dev/null | sha256sum | cut -c1-16)"
  values+=(
    --set gateway.service.type=NodePort --set "gateway.service.nodePort=$LOCAL_NODE_PORT"
    # One node, no storage provisioner: Redis keeps its AOF on the hostPath volume redis_volume made.
    --set "redis.persistence.storageClass=$LOCAL_STORAGE_CLASS"
    # The code store's zips on their hostPath volume too (host_volume code-store).
    --set "codeStore.persistence.storageClass=$LOCAL_STORAGE_CLASS" --set codeStore.persistence.size=5Gi
    --set gateway.replicas=2
    # Two cores for everything: the chart's requests (sized for a real cluster) leave no room on one
    # node for a rolling upgrade's surge pods beside a few functions, and a pod that cannot be
    # scheduled stalls the upgrade. Requests only; the limits stay the chart's.
    --set operator.resources.requests.cpu=50m --set gateway.resources.requests.cpu=100m
    --set redis.resources.requests.cpu=50m --set worker.resources.requests.cpu=50m
    --set codeStore.resources.requests.cpu=20m
    # No DNS on the local cluster: function pods reach the gateway's code endpoint by its Service's IP.
    --set-string "operator.codeEndpoint=http://\$(${service_variable}_SERVICE_HOST):\$(${service_variable}_SERVICE_PORT_CODE)"
    --set-string "operator.podAnnotations.lamina\.dev/images=$digest"
    --set-string "gateway.podAnnotations.lamina\.dev/images=$digest"
    --set-string "worker.podAnnotations.lamina\.dev/images=$digest"
  )
  redis_volume
  host_volume code-store 5Gi
fi
"$helm" upgrade --install "$RELEASE" "$CHART" --namespace "$NAMESPACE" --create-namespace \
  "${values[@]}" --wait --timeout 5m >/dev/null \
  || { kubectl -n "$NAMESPACE" get pods >&2; die "helm upgrade --install failed (kubectl -n $NAMESPACE describe pods says why)"; }
log "release $RELEASE: $("$helm" status "$RELEASE" -n "$NAMESPACE" -o json | jq -r '"revision \(.version), \(.info.status)"')"

# --- 4. the access key -------------------------------------------------------------------------
step 4 "the access key the chart generated (Secret $NAMESPACE/$RELEASE-access-key), kept in $CREDENTIALS"
secret="$(kubectl -n "$NAMESPACE" get secret -l lamina.dev/access-key=true -o json)"
key_id="$(jq -r '.items[0].data.accessKeyId | @base64d' <<<"$secret")"
key_secret="$(jq -r '.items[0].data.secretAccessKey | @base64d' <<<"$secret")"
[ -n "$key_id" ] && [ "$key_id" != null ] || die "the chart made no access-key Secret in $NAMESPACE"
mkdir -p "$(dirname "$CREDENTIALS")"
(umask 077 && printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$key_id" "$key_secret" >"$CREDENTIALS")

if $local_cluster; then
  gateway_url="http://127.0.0.1:$LOCAL_NODE_PORT"
else
  gateway_url="http://$(kubectl -n "$NAMESPACE" get svc "$RELEASE-gateway" -o jsonpath='{.spec.clusterIP}:{.spec.ports[0].port}')"
  log "the gateway's Service is ClusterIP: reach it from outside with kubectl -n $NAMESPACE port-forward svc/$RELEASE-gateway 8080, or set gateway.service.type"
fi

# --- 5. the examples ---------------------------------------------------------------------------
step 5 "the example functions (examples/)"
kubectl apply -f "$LAMINA_ROOT/examples/hello-function.yaml" -f "$LAMINA_ROOT/examples/provided-function.yaml" >/dev/null
# Ready: the Deployments exist and every environment that should exist is up (hello keeps one
# provisioned environment; hello-provided stays at zero until its first invocation).
kubectl wait --for=condition=Ready fn/hello fn/hello-provided -n default --timeout=180s >/dev/null \
  || { kubectl get fn -n default >&2; die "the example functions are not ready after 180 s"; }
log "example functions ready: $(kubectl get fn -n default --no-headers | awk '{ printf "%s ", $1 }')"

# --- 6. one invocation -------------------------------------------------------------------------
step 6 "invoking default.hello with the AWS CLI through $gateway_url"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
AWS_SHARED_CREDENTIALS_FILE="$CREDENTIALS" AWS_CONFIG_FILE=/dev/null aws lambda invoke --region us-east-1 \
  --endpoint-url "$gateway_url" --function-name default.hello --payload '{"hello":"from make up"}' "$out" >/dev/null \
  || die "invoking default.hello through the gateway failed (kubectl -n $NAMESPACE logs deploy/$RELEASE-gateway)"
log "default.hello answered: $(cat "$out")"

# --- 7. what next ------------------------------------------------------------------------------
step 7 "Lamina is up"
cat <<USAGE

Try next (after the eval below):
  aws lambda invoke --region us-east-1 --endpoint-url \$LAMINA_GATEWAY --function-name default.hello-provided --payload '{"a":1}' out.json
  aws lambda invoke --region us-east-1 --endpoint-url \$LAMINA_GATEWAY --function-name default.hello --invocation-type Event --payload '{"a":2}' out.json
  kubectl --kubeconfig $KUBECONFIG get fn -n default

USAGE
printf 'LAMINA_GATEWAY=%s\nAWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n' "$gateway_url" "$key_id" "$key_secret"

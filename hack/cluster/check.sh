#!/usr/bin/env bash
# Proves the cluster runs our images: builds the echo image with the pipeline, imports it,
# runs it as a pod (never pulled) and fetches from the pod's own IP. Used by cluster-up.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
source "$LAMINA_ROOT/hack/cluster/layout.sh"

archive="$("$LAMINA_ROOT/hack/images/echo/build.sh")"
"$LAMINA_ROOT/hack/images/import-image.sh" "$archive"

pod=lamina-cluster-check
kubectl_admin delete pod "$pod" --ignore-not-found --wait=true >/dev/null
kubectl_admin apply -f - >/dev/null <<POD
apiVersion: v1
kind: Pod
metadata:
  name: $pod
  namespace: default
  labels: { app.kubernetes.io/part-of: lamina, app.kubernetes.io/component: cluster-check }
spec:
  automountServiceAccountToken: false
  terminationGracePeriodSeconds: 1
  containers:
  - name: echo
    image: docker.io/lamina/echo:dev
    imagePullPolicy: Never
    ports: [{ containerPort: 8080 }]
    readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 }
    securityContext:
      runAsNonRoot: true
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: { drop: [ALL] }
POD

if ! kubectl_admin wait --for=condition=Ready "pod/$pod" --timeout=120s >/dev/null 2>&1; then
  kubectl_admin describe pod "$pod" | tail -n 20 >&2
  die "the check pod did not become Ready (kubelet log: $LOG_DIR/kubelet.log, containerd log: $LOG_DIR/containerd.log)"
fi
ip="$(kubectl_admin get pod "$pod" -o 'jsonpath={.status.podIP}')"
answer="$(curl -fsS --max-time 10 "http://$ip:8080/check")" || die "the check pod at $ip:8080 did not answer (kubelet log: $LOG_DIR/kubelet.log)"
case "$answer" in
  "lamina-echo $pod GET /check") log "check pod answered on its pod IP $ip: $answer" ;;
  *) die "the check pod answered something unexpected: $answer" ;;
esac
kubectl_admin delete pod "$pod" --wait=false >/dev/null

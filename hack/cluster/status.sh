#!/usr/bin/env bash
# make cluster-status: what runs and what does not. Exits 0 only when the whole cluster is up.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
source "$LAMINA_ROOT/hack/cluster/layout.sh"

healthy=true
printf '%-26s %s\n' "state folder" "$LAMINA_STATE$([ -d "$LAMINA_STATE" ] || echo ' (absent)')"
printf '%-26s %s\n' "Kubernetes binaries" "$KUBE_BIN_DIR$([ -x "$KUBE_BIN_DIR/kube-apiserver" ] || echo ' (not built: make kubernetes)')"
for c in "${COMPONENTS[@]}"; do
  if pid="$(pid_of "$c")"; then
    printf '%-26s running, pid %s, log %s\n' "$c" "$pid" "$LOG_DIR/$c.log"
  else
    healthy=false
    printf '%-26s NOT RUNNING%s\n' "$c" "$([ -f "$LOG_DIR/$c.log" ] && echo ", last log: $LOG_DIR/$c.log")"
  fi
done
if [ -f "$ADMIN_KUBECONFIG" ] && kubectl_admin get --raw /readyz >/dev/null 2>&1; then
  printf '%-26s ready at https://127.0.0.1:%s\n' "API server" "$APISERVER_PORT"
  printf '%-26s %s\n' "node $NODE_NAME" \
    "$(kubectl_admin get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | sed 's/^True$/Ready/;s/^False$/NotReady/;s/^$/not registered/')"
  printf '%-26s %s\n' "pods" "$(kubectl_admin get pods -A --no-headers 2>/dev/null | wc -l)"
else
  healthy=false
  printf '%-26s %s\n' "API server" "not answering"
fi
printf '%-26s %s\n' "kubeconfig" "$REPO_KUBECONFIG$([ -f "$REPO_KUBECONFIG" ] || echo ' (absent)')"
$healthy

#!/usr/bin/env bash
# make cluster-down: stops exactly the processes cluster-up started (by their recorded pids),
# removes the pods' containers through containerd, unmounts what the kubelet and containerd
# mounted under the state folder, deletes the bridge and removes the state.
# LAMINA_KEEP_LOGS=1 keeps $LAMINA_STATE/logs (cluster-up uses it after a failed start).
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
source "$LAMINA_ROOT/hack/cluster/layout.sh"
require_root

# stop NAME: TERM, up to 15 s to exit, then KILL. Only the recorded pid, and only while it
# still runs the component's binary.
stop() {
  local name="$1" pid
  pid="$(pid_of "$name")" || { rm -f "$PID_DIR/$name.pid" "$PID_DIR/$name.exe"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 15))
  while [ -d "/proc/$pid" ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  if [ -d "/proc/$pid" ]; then
    warn "$name (pid $pid) ignored TERM for 15 s: killing it"
    kill -KILL "$pid" 2>/dev/null || true
    while [ -d "/proc/$pid" ]; do sleep 0.1; done
  fi
  rm -f "$PID_DIR/$name.pid" "$PID_DIR/$name.exe"
  log "stopped $name (pid $pid)"
}

ctr_k8s() { ctr --address "$CONTAINERD_SOCKET" --namespace k8s.io "$@"; }

# The containers' init processes containerd recorded (init.pid), each with its shim (parent):
# "PID SHIM_PID" lines, only while the parent really is containerd's shim (never a recycled pid).
container_processes() {
  local f pid ppid
  for f in "$CONTAINERD_DIR"/state/io.containerd.runtime.v2.task/k8s.io/*/init.pid; do
    [ -f "$f" ] || continue
    pid="$(cat "$f")"
    ppid="$(awk '{ print $4 }' "/proc/$pid/stat" 2>/dev/null)" || continue
    [ "$(readlink "/proc/$ppid/exe" 2>/dev/null)" = "$SHIM_BINARY" ] && echo "$pid $ppid"
  done
  return 0
}
SHIM_BINARY=/usr/bin/containerd-shim-runc-v2

if [ ! -d "$LAMINA_STATE" ] && ! ip link show "$BRIDGE" >/dev/null 2>&1; then
  log "no local cluster here ($LAMINA_STATE does not exist): nothing to stop"
  exit 0
fi

# Noted before anything stops, while the containers and their shims still run.
containers="$(container_processes)"
# The kube-proxy that cluster-up ran (perhaps from another cache) also removes its rules.
proxy_binary="$(cat "$PID_DIR/kube-proxy.exe" 2>/dev/null || echo "$KUBE_BIN_DIR/kube-proxy")"

# 0. Lamina itself (make up runs it on this machine), before what it talks to.
stop lamina-gateway
stop lamina-operator
stop lamina-redis

# 1. Nothing may create pods while they are removed.
stop kube-controller-manager
stop kube-scheduler

# 2. Let the kubelet remove every pod through the runtime, so sandboxes and their network
#    namespaces are torn down properly.
if pid_of kube-apiserver >/dev/null && pid_of kubelet >/dev/null && pid_of containerd >/dev/null; then
  kubectl_admin delete pods --all --all-namespaces --force --grace-period=0 --wait=false >/dev/null 2>&1 || true
  if ! wait_for "all pod containers removed" 60 bash -c "[ -z \"\$(ctr --address '$CONTAINERD_SOCKET' --namespace k8s.io tasks list --quiet 2>/dev/null)\" ]"; then
    warn "some pod containers were still running after 60 s; killing them through containerd"
  fi
fi

stop kube-proxy
# kube-proxy's iptables rules outlive it: remove them.
if [ -x "$proxy_binary" ]; then
  "$proxy_binary" --cleanup >"$LOG_DIR/kube-proxy-cleanup.log" 2>&1 || warn "kube-proxy --cleanup failed (log: $LOG_DIR/kube-proxy-cleanup.log)"
fi
stop kubelet

# The kubelet's own chains (KUBE-FIREWALL, KUBE-MARK-*, canaries) outlive it too. Kubernetes
# owns the KUBE- prefix, and this machine runs no other Kubernetes.
remove_kube_chains() {
  local table rule chain
  for table in filter nat mangle; do
    iptables-save -t "$table" | grep -E '^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) .*-j KUBE-' | while read -r rule; do
      eval "iptables -t $table -D ${rule#-A }" || true
    done || true # no jump rules: grep finds nothing
    for chain in $(iptables-save -t "$table" | grep -oE '^:KUBE-[A-Z0-9-]+' | tr -d :); do iptables -t "$table" -F "$chain"; done
    for chain in $(iptables-save -t "$table" | grep -oE '^:KUBE-[A-Z0-9-]+' | tr -d :); do iptables -t "$table" -X "$chain" || true; done
  done
}
remove_kube_chains

# 3. Whatever containers are left: kill and delete them through containerd, so the shims exit.
if pid_of containerd >/dev/null; then
  for task in $(ctr_k8s tasks list --quiet 2>/dev/null); do
    ctr_k8s tasks kill --signal SIGKILL "$task" >/dev/null 2>&1 || true
  done
  for task in $(ctr_k8s tasks list --quiet 2>/dev/null); do
    wait_for "task $task stopped" 10 bash -c "ctr --address '$CONTAINERD_SOCKET' --namespace k8s.io tasks delete '$task'" || true
  done
  for container in $(ctr_k8s containers list --quiet 2>/dev/null); do
    ctr_k8s containers delete "$container" >/dev/null 2>&1 || true
  done
fi
stop containerd
# Containers whose runtime died before they could be removed (e.g. the cluster was killed):
# end each container's init process (which ends its pid namespace) while its shim still
# parents it (the proof the pid is still ours), and only then the shims.
while read -r pid shim; do
  if [ -n "$pid" ] && [ "$(awk '{ print $4 }' "/proc/$pid/stat" 2>/dev/null)" = "$shim" ]; then
    warn "stopping container process $pid that outlived the kubelet"
    kill -KILL "$pid" 2>/dev/null || true
  fi
done <<<"$containers"
for shim in $(awk '{ print $2 }' <<<"$containers" | sort -u); do
  if [ "$(readlink "/proc/$shim/exe" 2>/dev/null)" = "$SHIM_BINARY" ]; then
    warn "stopping containerd shim $shim that outlived containerd"
    kill -KILL "$shim" 2>/dev/null || true
  fi
done

stop kube-apiserver
stop etcd

# 4. Mounts: pod volumes, container root filesystems, shm and network namespaces all live
#    under the state folder (containerd runs with netns_mounts_under_state_dir). Deepest first.
if [ -d "$LAMINA_STATE" ]; then
  while read -r target; do
    umount "$target" 2>/dev/null || umount -l "$target" 2>/dev/null || warn "could not unmount $target"
  done < <(findmnt -rn -o TARGET | awk -v root="$LAMINA_STATE/" 'index($0, root) == 1' | awk '{ print length, $0 }' | sort -rn | cut -d' ' -f2-)
fi

# 5. The bridge and the state.
if ip link show "$BRIDGE" >/dev/null 2>&1; then
  ip link delete "$BRIDGE" && log "deleted bridge $BRIDGE"
fi
if [ "${LAMINA_KEEP_LOGS:-0}" = 1 ]; then
  find "$LAMINA_STATE" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} +
  log "removed cluster state; kept the logs in $LOG_DIR"
else
  rm -rf "$LAMINA_STATE"
  log "removed $LAMINA_STATE"
fi
rm -f "$REPO_KUBECONFIG"

left="$(findmnt -rn -o TARGET | grep -c "^$LAMINA_STATE/" || true)"
[ "$left" -eq 0 ] || die "$left mounts under $LAMINA_STATE remain (see: findmnt | grep $LAMINA_STATE)"
log "cluster down"

#!/usr/bin/env bash
# Every path and address of the local cluster, in one place. Source after lib/common.sh.

# Addresses. Pods live on the project's own bridge; nothing routes beyond this machine
# (the CNI bridge runs with ipMasq off).
BRIDGE=lamina0
POD_CIDR=10.244.0.0/24
BRIDGE_IP=10.244.0.1          # the bridge's address: the node IP, and the API server's advertised address
SERVICE_CIDR=10.96.0.0/24
KUBERNETES_SERVICE_IP=10.96.0.1
APISERVER_PORT=6443
ETCD_CLIENT_PORT=2379
ETCD_PEER_PORT=2380
NODE_NAME=lamina-node

# State: everything a running cluster writes, outside the repository.
PKI_DIR="$LAMINA_STATE/pki"
LOG_DIR="$LAMINA_STATE/logs"
PID_DIR="$LAMINA_STATE/pids"
ETCD_DATA_DIR="$LAMINA_STATE/etcd"
CONTAINERD_DIR="$LAMINA_STATE/containerd"
CONTAINERD_SOCKET="$CONTAINERD_DIR/run/containerd.sock"
CNI_CONF_DIR="$LAMINA_STATE/cni/net.d"
CNI_IPAM_DIR="$LAMINA_STATE/cni/ipam"
KUBELET_DIR="$LAMINA_STATE/kubelet"
ADMIN_KUBECONFIG="$LAMINA_STATE/admin.kubeconfig"
REPO_KUBECONFIG="$LAMINA_ROOT/.lamina/kubeconfig"
IMAGE_DIR="$LAMINA_CACHE/images"

# The processes the cluster runs, in start order; cluster-down stops them in reverse.
COMPONENTS=(etcd kube-apiserver containerd kube-controller-manager kube-scheduler kubelet kube-proxy)

component_binary() {
  case "$1" in
    etcd) echo /usr/bin/etcd ;;
    containerd) echo /usr/bin/containerd ;;
    # Lamina itself, as make up runs it on this machine (until the Helm chart installs it in the cluster).
    lamina-operator) echo "$LAMINA_ROOT/artifacts/bin/Lamina.Operator/debug/lamina-operator" ;;
    lamina-gateway) echo "$LAMINA_ROOT/artifacts/bin/Lamina.Gateway/debug/lamina-gateway" ;;
    # The gateways' async queue (Debian's redis-server, installed by hack/redis.sh).
    lamina-redis) readlink -f "$(command -v redis-server || echo /usr/bin/redis-server)" ;;
    *) echo "$KUBE_BIN_DIR/$1" ;;
  esac
}

# pid_of NAME: the recorded pid when that process still runs the binary recorded with it (cluster-up
# writes NAME.pid and NAME.exe); nothing otherwise. Checking /proc/PID/exe guards against a recycled
# pid, and using the recorded binary (not this clone's LAMINA_CACHE) lets any clone stop a cluster
# that another clone, or another cache, started: we stop exactly what was started.
pid_of() {
  local file="$PID_DIR/$1.pid" pid expected
  [ -f "$file" ] || return 1
  pid="$(cat "$file")"
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  expected="$(cat "$PID_DIR/$1.exe" 2>/dev/null || readlink -f "$(component_binary "$1")")"
  [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$expected" ] || return 1
  echo "$pid"
}

kubectl_admin() { kubectl --kubeconfig "$ADMIN_KUBECONFIG" "$@"; }

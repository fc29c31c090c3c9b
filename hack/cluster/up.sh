#!/usr/bin/env bash
# make cluster-up: a single-node Kubernetes on this machine, from Debian packages alone.
# Idempotent: a healthy running cluster is reused; a dead or half-started one is cleaned away
# and started afresh. The last line printed is `export KUBECONFIG=...`.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
source "$LAMINA_ROOT/hack/cluster/layout.sh"

require_root
apt_install etcd-server containerd runc containernetworking-plugins iptables ipset conntrack \
  buildah openssl iproute2 curl util-linux gcc libc6-dev
command -v kubectl >/dev/null || apt_install kubernetes-client
"$LAMINA_ROOT/hack/cluster/build-kubernetes.sh"

write_repo_kubeconfig() {
  mkdir -p "$(dirname "$REPO_KUBECONFIG")"
  cp "$ADMIN_KUBECONFIG" "$REPO_KUBECONFIG"
  chmod 600 "$REPO_KUBECONFIG"
}

node_ready() {
  [ "$(kubectl_admin get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

cluster_healthy() {
  local c
  for c in "${COMPONENTS[@]}"; do pid_of "$c" >/dev/null || return 1; done
  [ -f "$ADMIN_KUBECONFIG" ] && kubectl_admin get --raw /readyz >/dev/null 2>&1 && node_ready
}

if cluster_healthy; then
  log "the cluster in $LAMINA_STATE is running and healthy: reusing it"
  write_repo_kubeconfig
  echo "export KUBECONFIG=$REPO_KUBECONFIG"
  exit 0
fi

if [ -d "$LAMINA_STATE" ]; then
  log "found a stopped or unhealthy cluster in $LAMINA_STATE: cleaning it away first"
  "$LAMINA_ROOT/hack/cluster/down.sh"
fi

# From here on, a failure stops everything this run started.
started=false
on_exit() {
  local status=$?
  if [ "$status" -ne 0 ] && [ "$started" = true ]; then
    warn "cluster-up failed; stopping what it started (state and logs stay in $LOG_DIR until the next cluster-up or cluster-down)"
    LAMINA_KEEP_LOGS=1 "$LAMINA_ROOT/hack/cluster/down.sh" || true
  fi
}
trap on_exit EXIT
started=true

mkdir -p "$PKI_DIR" "$LOG_DIR" "$PID_DIR" "$ETCD_DATA_DIR" "$CONTAINERD_DIR/run" "$CNI_CONF_DIR" "$CNI_IPAM_DIR" "$KUBELET_DIR"
chmod 700 "$LAMINA_STATE" "$PKI_DIR"

# --- credentials -------------------------------------------------------------------------
make_pki() {
  local openssl_log="$LOG_DIR/openssl.log"
  (
    cd "$PKI_DIR"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 \
      -subj "/CN=lamina-local-ca" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver"
    cat >apiserver.ext <<EXT
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:$BRIDGE_IP,IP:$KUBERNETES_SERVICE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
EXT
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile apiserver.ext -out apiserver.crt
    openssl genrsa -out service-account.key 2048
    openssl rsa -in service-account.key -pubout -out service-account.pub
  ) >"$openssl_log" 2>&1 || die "making the cluster's certificates failed (log: $openssl_log)"
  local token
  token="$(openssl rand -hex 24)"
  echo "$token,admin,admin,system:masters" >"$PKI_DIR/tokens.csv"
  chmod 600 "$PKI_DIR"/*.key "$PKI_DIR/tokens.csv"
  cat >"$ADMIN_KUBECONFIG" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: lamina
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $(base64 -w0 "$PKI_DIR/ca.crt")
users:
- name: admin
  user:
    token: $token
contexts:
- name: lamina
  context:
    cluster: lamina
    user: admin
    namespace: default
current-context: lamina
KUBECONFIG
  chmod 600 "$ADMIN_KUBECONFIG"
}
make_pki

# --- network -------------------------------------------------------------------------------
# The bridge exists before the API server starts so it can advertise the bridge address, which
# pods can reach (a loopback advertise address is unreachable from pods). The CNI bridge
# plugin adopts the existing bridge.
if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
  ip link add "$BRIDGE" type bridge || die "could not create the bridge $BRIDGE (needs CAP_NET_ADMIN)"
fi
ip addr replace "$BRIDGE_IP/24" dev "$BRIDGE"
ip link set "$BRIDGE" up
# Pod-to-Service traffic crosses the bridge: let iptables (kube-proxy's rules) see it.
if [ -w /proc/sys/net/bridge/bridge-nf-call-iptables ]; then
  echo 1 >/proc/sys/net/bridge/bridge-nf-call-iptables
else
  warn "net.bridge.bridge-nf-call-iptables is not available: pods may not reach Services on this node"
fi
echo 1 >/proc/sys/net/ipv4/ip_forward

cat >"$CNI_CONF_DIR/10-lamina.conflist" <<CNI
{
  "cniVersion": "0.4.0",
  "name": "lamina",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$CNI_IPAM_DIR",
        "ranges": [[{ "subnet": "$POD_CIDR", "gateway": "$BRIDGE_IP" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
CNI

# --- processes -----------------------------------------------------------------------------
# start NAME ARGS...: runs the component in its own session (so a terminal's signals do not
# reach it) with a log and a pid file. Without job control the background child is not a
# group leader, so setsid execs in place and $! is the component's own pid.
start() {
  local name="$1"; shift
  local binary
  binary="$(readlink -f "$(component_binary "$name")")"
  setsid "$binary" "$@" </dev/null >>"$LOG_DIR/$name.log" 2>&1 &
  echo $! >"$PID_DIR/$name.pid"
  echo "$binary" >"$PID_DIR/$name.exe"
}

# expect NAME SECONDS DESCRIPTION COMMAND...: waits for COMMAND, failing with NAME's log.
expect() {
  local name="$1" seconds="$2" what="$3"; shift 3
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ! pid_of "$name" >/dev/null; then
      tail -n 20 "$LOG_DIR/$name.log" >&2 || true
      die "$name exited while starting (log: $LOG_DIR/$name.log)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 20 "$LOG_DIR/$name.log" >&2 || true
      die "$name: $what did not happen within $seconds s (log: $LOG_DIR/$name.log)"
    fi
    sleep 0.5
  done
  log "$name: $what"
}

start etcd --name lamina --data-dir "$ETCD_DATA_DIR" \
  --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "lamina=http://127.0.0.1:$ETCD_PEER_PORT"
expect etcd 60 "healthy" curl -fsS "http://127.0.0.1:$ETCD_CLIENT_PORT/health"

# The node's name is not in any DNS; the apiserver reaches the kubelet (kubectl logs, exec) by its IP.
start kube-apiserver \
  --etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --advertise-address "$BRIDGE_IP" --bind-address 0.0.0.0 --secure-port "$APISERVER_PORT" --insecure-port 0 \
  --tls-cert-file "$PKI_DIR/apiserver.crt" --tls-private-key-file "$PKI_DIR/apiserver.key" \
  --client-ca-file "$PKI_DIR/ca.crt" --token-auth-file "$PKI_DIR/tokens.csv" \
  --authorization-mode Node,RBAC --allow-privileged=true \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$PKI_DIR/service-account.pub" \
  --service-account-signing-key-file "$PKI_DIR/service-account.key" \
  --service-cluster-ip-range "$SERVICE_CIDR" --profiling=false \
  --kubelet-preferred-address-types InternalIP
expect kube-apiserver 180 "ready" kubectl_admin get --raw /readyz

# containerd with its own config, root, state and socket: the machine's files are never touched.
containerd config default >"$CONTAINERD_DIR/config.toml.default"
sed -e "s#^root = .*#root = \"$CONTAINERD_DIR/root\"#" \
    -e "s#^state = .*#state = \"$CONTAINERD_DIR/state\"#" \
    -e "0,/^  address = \"\/run\/containerd\/containerd.sock\"/s##  address = \"$CONTAINERD_SOCKET\"#" \
    -e "s#bin_dir = .*#bin_dir = \"/usr/lib/cni\"#" \
    -e "s#conf_dir = \"/etc/cni/net.d\"#conf_dir = \"$CNI_CONF_DIR\"#" \
    -e "s#sandbox_image = .*#sandbox_image = \"$PAUSE_IMAGE\"#" \
    -e "s#restrict_oom_score_adj = false#restrict_oom_score_adj = true#" \
    -e "s#netns_mounts_under_state_dir = false#netns_mounts_under_state_dir = true#" \
    "$CONTAINERD_DIR/config.toml.default" >"$CONTAINERD_DIR/config.toml"
grep -q "address = \"$CONTAINERD_SOCKET\"" "$CONTAINERD_DIR/config.toml" || die "could not set containerd's socket in $CONTAINERD_DIR/config.toml"
start containerd --config "$CONTAINERD_DIR/config.toml"
expect containerd 60 "serving" ctr --address "$CONTAINERD_SOCKET" version

# The pause image: the sandbox of every pod, built here and imported, never pulled.
pause_archive="$IMAGE_DIR/pause.tar"
if [ ! -f "$pause_archive" ]; then
  "$LAMINA_ROOT/hack/images/build-image.sh" --name "$PAUSE_IMAGE" --out "$pause_archive" \
    --program "$KUBE_BIN_DIR/pause:/pause" --entrypoint '["/pause"]'
fi
"$LAMINA_ROOT/hack/images/import-image.sh" "$pause_archive"

start kube-controller-manager --kubeconfig "$ADMIN_KUBECONFIG" \
  --service-account-private-key-file "$PKI_DIR/service-account.key" --root-ca-file "$PKI_DIR/ca.crt" \
  --use-service-account-credentials=false --leader-elect=false --bind-address 127.0.0.1 \
  --controllers '*,-nodeipam' --profiling=false
start kube-scheduler --kubeconfig "$ADMIN_KUBECONFIG" --leader-elect=false --bind-address 127.0.0.1

cat >"$KUBELET_DIR/config.yaml" <<KUBELET
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $BRIDGE_IP
cgroupDriver: cgroupfs
failSwapOn: false
authentication:
  anonymous: { enabled: true }
  webhook: { enabled: false }
authorization: { mode: AlwaysAllow }
podCIDR: $POD_CIDR
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
# This machine's disk and memory are shared with builds: evict only in real trouble.
evictionHard: { memory.available: "100Mi", nodefs.available: "1%", nodefs.inodesFree: "1%", imagefs.available: "1%" }
imageGCHighThresholdPercent: 100
serializeImagePulls: false
KUBELET
start kubelet --config "$KUBELET_DIR/config.yaml" --kubeconfig "$ADMIN_KUBECONFIG" \
  --container-runtime remote --container-runtime-endpoint "unix://$CONTAINERD_SOCKET" \
  --hostname-override "$NODE_NAME" --node-ip "$BRIDGE_IP" --root-dir "$KUBELET_DIR" \
  --cert-dir "$KUBELET_DIR/pki"
start kube-proxy --kubeconfig "$ADMIN_KUBECONFIG" --proxy-mode iptables --cluster-cidr "$POD_CIDR" \
  --hostname-override "$NODE_NAME" --conntrack-max-per-core 0 --bind-address 127.0.0.1

expect kubelet 120 "node $NODE_NAME Ready" node_ready
expect kube-controller-manager 60 "default service account created" kubectl_admin get serviceaccount default -n default

write_repo_kubeconfig

# --- readiness check: a pod from the image pipeline serves HTTP on its pod IP --------------
"$LAMINA_ROOT/hack/cluster/check.sh"

started=false
log "cluster up in $SECONDS s; logs in $LOG_DIR"
echo "export KUBECONFIG=$REPO_KUBECONFIG"

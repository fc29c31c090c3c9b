#!/usr/bin/env bash
# make up, after the cluster and images are in place: runs Lamina's operator (with the concurrency
# controller) and gateway on this machine against the cluster (the Helm chart will install them in
# it), creates an access key for
# the AWS CLI, deploys the example functions and invokes one through the gateway.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$LAMINA_ROOT/hack/cluster/layout.sh"

GATEWAY_URL=http://127.0.0.1:8080
OPERATOR_URL=http://127.0.0.1:8081
# Not 6379: Debian's package may run its own system-wide redis-server there.
REDIS_PORT=6380
REDIS_DIR="$LAMINA_STATE/redis"
CREDENTIALS="$LAMINA_ROOT/.lamina/credentials"
KEY_NAMESPACE=lamina-system

kubectl_admin get node "$NODE_NAME" >/dev/null || die "the cluster does not answer (make cluster-status)"
kubectl_admin apply -f "$LAMINA_ROOT/crds/" >/dev/null || die "installing the CRDs failed"
kubectl_admin wait --for=condition=Established crd/functions.lamina.dev --timeout=60s >/dev/null

# (Re)start a Lamina program from this build: its pid and binary are recorded like the cluster's.
run_lamina() { # NAME URL ARGS...
  local name="$1" url="$2" pid binary; shift 2
  if pid="$(pid_of "$name")"; then
    kill -TERM "$pid" 2>/dev/null || true
    while [ -d "/proc/$pid" ]; do sleep 0.2; done
  fi
  binary="$(readlink -f "$(component_binary "$name")")"
  [ -x "$binary" ] || die "$binary is missing: run make build"
  KUBECONFIG="$REPO_KUBECONFIG" setsid "$binary" --urls "$url" "$@" </dev/null >>"$LOG_DIR/$name.log" 2>&1 &
  echo $! >"$PID_DIR/$name.pid"
  echo "$binary" >"$PID_DIR/$name.exe"
  local deadline=$((SECONDS + 60))
  until curl -fsS "$url/readyz" >/dev/null 2>&1; do
    pid_of "$name" >/dev/null || { tail -n 20 "$LOG_DIR/$name.log" >&2; die "$name exited while starting (log: $LOG_DIR/$name.log)"; }
    [ "$SECONDS" -lt "$deadline" ] || die "$name was not ready within 60 s (log: $LOG_DIR/$name.log)"
    sleep 0.3
  done
  log "$name runs on $url (log: $LOG_DIR/$name.log)"
}

# An access key for this machine's user, kept in .lamina/credentials (the AWS CLI's format).
kubectl_admin create namespace "$KEY_NAMESPACE" --dry-run=client -o yaml | kubectl_admin apply -f - >/dev/null
if [ ! -f "$CREDENTIALS" ]; then
  mkdir -p "$(dirname "$CREDENTIALS")"
  key_id="AKIALAMINA$(head -c 64 /dev/urandom | tr -dc 'A-Z0-9' | head -c 10)"
  secret="$(head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 40)"
  printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$key_id" "$secret" >"$CREDENTIALS"
  chmod 600 "$CREDENTIALS"
fi
key_id="$(awk -F' = ' '/aws_access_key_id/ { print $2 }' "$CREDENTIALS")"
secret="$(awk -F' = ' '/aws_secret_access_key/ { print $2 }' "$CREDENTIALS")"
kubectl_admin -n "$KEY_NAMESPACE" create secret generic local-developer \
  --from-literal=accessKeyId="$key_id" --from-literal=secretAccessKey="$secret" \
  --from-literal=namespaces='*' --from-literal=defaultNamespace=default \
  --dry-run=client -o yaml | kubectl_admin label --local -f - lamina.dev/access-key=true -o yaml | kubectl_admin apply -f - >/dev/null
log "access key $key_id (every namespace) in $CREDENTIALS"

# The async queue: Redis with an append-only file fsynced on every write (docs/async.md). Kept
# running across make up runs: its data (events not yet run, dead letters) is in $REDIS_DIR.
"$LAMINA_ROOT/hack/redis.sh"
if ! pid_of lamina-redis >/dev/null; then
  mkdir -p "$REDIS_DIR"
  setsid redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" --appendonly yes --appendfsync always \
    --maxmemory-policy noeviction --save "" --daemonize no </dev/null >>"$LOG_DIR/lamina-redis.log" 2>&1 &
  echo $! >"$PID_DIR/lamina-redis.pid"
  component_binary lamina-redis >"$PID_DIR/lamina-redis.exe"
  wait_for "redis-server on 127.0.0.1:$REDIS_PORT" 30 redis-cli -p "$REDIS_PORT" ping >/dev/null \
    || die "redis-server did not start (log: $LOG_DIR/lamina-redis.log)"
fi
log "redis-server runs on 127.0.0.1:$REDIS_PORT (AOF in $REDIS_DIR, log: $LOG_DIR/lamina-redis.log)"

run_lamina lamina-operator "$OPERATOR_URL"
run_lamina lamina-gateway "$GATEWAY_URL" --Lamina:Gateway:Auth:AccessKeyNamespace="$KEY_NAMESPACE" \
  --Lamina:Gateway:Async:Redis="127.0.0.1:$REDIS_PORT"

kubectl_admin apply -f "$LAMINA_ROOT/examples/hello-function.yaml" -f "$LAMINA_ROOT/examples/provided-function.yaml" >/dev/null
# Ready: the Deployments exist and every environment that should exist is up (hello keeps one
# provisioned environment; hello-provided stays at zero until its first invocation).
kubectl_admin wait --for=condition=Ready fn/hello fn/hello-provided -n default --timeout=180s >/dev/null \
  || { kubectl_admin get fn -n default >&2; die "the example functions are not ready after 180 s"; }
log "example functions ready: $(kubectl_admin get fn -n default --no-headers | awk '{ printf "%s ", $1 }')"

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
AWS_SHARED_CREDENTIALS_FILE="$CREDENTIALS" AWS_CONFIG_FILE=/dev/null aws lambda invoke --region us-east-1 \
  --endpoint-url "$GATEWAY_URL" --function-name default.hello --payload '{"hello":"from make up"}' "$out" >/dev/null \
  || die "invoking default.hello through the gateway failed (log: $LOG_DIR/lamina-gateway.log)"
log "invoked default.hello through the gateway: $(cat "$out")"
cat <<USAGE

Lamina is up. Invoke the examples with the AWS CLI:
  export AWS_SHARED_CREDENTIALS_FILE=$CREDENTIALS AWS_DEFAULT_REGION=us-east-1
  aws lambda invoke --endpoint-url $GATEWAY_URL --function-name default.hello-provided --payload '{"a":1}' out.json   # from zero: a cold start
  aws lambda invoke --endpoint-url $GATEWAY_URL --function-name default.hello --invocation-type Event --payload '{"a":2}' out.json   # async: 202, stored in Redis, then run
  kubectl --kubeconfig $REPO_KUBECONFIG get fn -n default                                                            # desired, ready and busy environments
USAGE
echo "export KUBECONFIG=$REPO_KUBECONFIG"

#!/usr/bin/env bash
# make code-push ZIP=path NAMESPACE=ns [LAYER=1]: puts a zip into make up's code store with
# `lamina code push` (operator/Lamina.Cli) and prints what the Function's spec names it by.
# The registry is reached through `kubectl port-forward` on a free loopback port (kubelet-local, so the
# registry's NetworkPolicy does not stand in the way) and the credentials come from the release's
# Secret (lamina-system/lamina-code-store), written to a file only this user can read, removed after.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

RELEASE=lamina
NAMESPACE_OF_RELEASE=lamina-system
zip="${ZIP:-}" ns="${NAMESPACE:-}"
[ -n "$zip" ] && [ -n "$ns" ] || die "usage: make code-push ZIP=path/to/function.zip NAMESPACE=<functions namespace> [LAYER=1]"
[ -f "$zip" ] || die "$zip does not exist"
zip="$(readlink -f "$zip")"
# make up's cluster unless KUBECONFIG names another.
export KUBECONFIG="${KUBECONFIG:-$LAMINA_ROOT/.lamina/kubeconfig}"
apt_install jq

secret="$(kubectl -n "$NAMESPACE_OF_RELEASE" get secret "$RELEASE-code-store" -o json 2>/dev/null)" \
  || die "no Secret $NAMESPACE_OF_RELEASE/$RELEASE-code-store: is Lamina up with its code store (make up)?"
work="$(mktemp -d)"
forward_pid=""
cleanup() { [ -n "$forward_pid" ] && kill "$forward_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
(umask 077 && jq -r '.data.password | @base64d' <<<"$secret" >"$work/password")
username="$(jq -r '.data.username | @base64d' <<<"$secret")"

# Port 0: kubectl picks a free local port and says which.
kubectl -n "$NAMESPACE_OF_RELEASE" port-forward --address 127.0.0.1 "svc/$RELEASE-code-store" 0:5000 >"$work/forward.log" 2>&1 &
forward_pid=$!
port=""
for _ in $(seq 1 100); do
  port="$(sed -nE 's/^Forwarding from 127\.0\.0\.1:([0-9]+) .*/\1/p' "$work/forward.log" | head -n1)"
  [ -n "$port" ] && break
  kill -0 "$forward_pid" 2>/dev/null || die "kubectl port-forward failed: $(cat "$work/forward.log")"
  sleep 0.1
done
[ -n "$port" ] || die "kubectl port-forward did not say its port within 10 s: $(cat "$work/forward.log")"

args=(code push "$zip" --namespace "$ns" --store "http://127.0.0.1:$port" --username "$username" --password-file "$work/password")
[ -n "${LAYER:-}" ] && [ "${LAYER}" != 0 ] && args+=(--layer)
dotnet run --project "$LAMINA_ROOT/operator/Lamina.Cli" -- "${args[@]}"

#!/usr/bin/env bash
# Smoke test of a finished /opt/lamina folder, used the way pods use it, in a root filesystem with
# no glibc at all (static busybox only), read-only (its /tmp too), as user 65532:
#   1. the init container: `runtime-shim install /mnt/lamina` into a writable, emptyDir-like folder;
#      the copy must equal the folder;
#   2. the function container: that copy mounted read-only at /opt/lamina runs a busybox-sh runtime
#      (bootstrap-busybox, which answers every event with itself); it must become ready, answer two
#      invocations through the invoke contract and count them on /metrics, and exit 0 on SIGTERM.
# Usage: smoke-test.sh FOLDER. Catches a program that needs a library the folder lacks, a patched
# interpreter or rpath that does not resolve, and anything in the serving path that writes to disk.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/common.sh"

folder="$(cd "$1" && pwd)"
MOUNT_POINT=/opt/lamina
READY_TIMEOUT_SECONDS=30

work="$(mktemp -d)"
shim=
cleanup() {
  [ -z "$shim" ] || kill -KILL "$shim" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A free loopback port: a random one nothing uses (the shim fails loudly if it loses the race). Below
# the kernel's ephemeral range (32768 and up by default), where a client's outgoing connection (a test
# run's, say) can hold a port that no listener shows: seen as "Address already in use".
free_port() {
  local port low
  low="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)"
  while :; do
    port="$(shuf -i "20000-$((low - 1))" -n 1)"
    [ -n "$(ss -Htan "sport = :$port")" ] || { echo "$port"; return; }
  done
}
invoke_port="$(free_port)" admin_port="$(free_port)" api_port="$(free_port)"

root="$work/root"
mkdir -p "$root"/{bin,dev,proc,tmp,task,mnt/lamina,"${MOUNT_POINT#/}"}
cp /bin/busybox "$root/bin/busybox"
for applet in sh wget sed tr; do ln -s busybox "$root/bin/$applet"; done
cp "$(dirname "${BASH_SOURCE[0]}")/bootstrap-busybox" "$root/task/bootstrap"
chmod 755 "$root/task/bootstrap"

user=(--userspec=65532:65532)
unshare_args=(--mount --propagation private)
# Without root a user namespace maps only root; 65532 then does not exist, so the test runs as that root.
[ "$(id -u)" -eq 0 ] || { unshare_args+=(--map-root-user); user=(); }

# In a private mount namespace: the root made read-only, a writable emptyDir at /mnt/lamina, the folder
# read-only at /opt/lamina for `install`, then the installed copy read-only at /opt/lamina for the shim.
# A function pod without token hashes refuses every caller, so the shim gets one hash, as the operator gives it.
token="smoke-$RANDOM-$RANDOM"
token_hash="$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)"
LAMINA_INVOKE_TOKEN_SHA256="$token_hash" INVOKE_PORT="$invoke_port" ADMIN_PORT="$admin_port" API_PORT="$api_port" unshare "${unshare_args[@]}" sh -c '
  set -e
  root="$1" folder="$2" mount_point="$3"; shift 3
  mount --bind "$root" "$root"
  mount -t tmpfs -o mode=1777 emptydir "$root/mnt/lamina"
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mount --bind "$folder" "$root$mount_point" && mount -o remount,bind,ro "$root$mount_point"
  mount -o remount,bind,ro "$root"
  chroot "$@" "$root" "$mount_point/runtime-shim" install /mnt/lamina
  diff -r "$folder" "$root/mnt/lamina"
  umount "$root$mount_point"
  mount --bind "$root/mnt/lamina" "$root$mount_point" && mount -o remount,bind,ro "$root$mount_point"
  echo "installed; starting the shim"
  exec chroot "$@" "$root" "$mount_point/runtime-shim" --invoke-address "127.0.0.1:$INVOKE_PORT" \
    --admin-address "127.0.0.1:$ADMIN_PORT" --runtime-api "127.0.0.1:$API_PORT" -- /task/bootstrap
' sh "$root" "$folder" "$MOUNT_POINT" "${user[@]}" >"$work/shim.log" 2>&1 &
shim=$!

fail() {
  cat "$work/shim.log" >&2
  die "smoke test of $folder in a busybox root: $*"
}

deadline=$((SECONDS + READY_TIMEOUT_SECONDS))
until curl -sf -o /dev/null "http://127.0.0.1:$admin_port/readyz"; do
  kill -0 "$shim" 2>/dev/null || fail "the shim exited before it was ready"
  [ "$SECONDS" -lt "$deadline" ] || fail "not ready within ${READY_TIMEOUT_SECONDS} s"
  sleep 0.1
done
refused="$(curl -s -o /dev/null -w '%{http_code}' -d '{"smoke":0}' "http://127.0.0.1:$invoke_port/lamina/v1/invoke")"
[ "$refused" = 401 ] || fail "an invocation without the token answered $refused, not 401"
for event in '{"smoke":1}' '{"smoke":2}'; do
  answer="$(curl -sf -H "Lamina-Token: $token" -d "$event" "http://127.0.0.1:$invoke_port/lamina/v1/invoke")" || fail "the invocation $event failed"
  [ "$answer" = "$event" ] || fail "the invocation $event answered $answer"
done
curl -sf -H "Lamina-Token: $token" "http://127.0.0.1:$admin_port/metrics" | grep -q '^lamina_invocations_total{.*} 2$' ||
  fail "/metrics does not count the two invocations"
kill -TERM "$shim"
wait "$shim" || fail "the shim did not exit 0 on SIGTERM"
shim=
log "smoke test passed: install and two invocations in a busybox root, read-only, as 65532"

#!/usr/bin/env bash
# Builds an OCI image from scratch with buildah: the files given, every shared library the
# given programs need (as ldd lists them, at the same paths), /etc/passwd with a non-root
# user, and a writable /tmp. Writes an oci-archive; hack/images/import-image.sh loads it.
#
#   build-image.sh --name docker.io/lamina/echo:dev --out FILE.tar \
#       [--program SRC:DEST]... [--file SRC:DEST]... [--dir SRC:DEST]... \
#       [--entrypoint '["/echo"]'] [--cmd '[...]'] [--env K=V]... [--port N]...
#
# Names are full references (docker.io/...) because that is how Kubernetes spells an image
# named lamina/x:dev; the pod then finds the imported image and never pulls.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

name="" out="" entrypoint="" cmd=""
programs=() files=() dirs=() envs=() ports=()
while [ $# -gt 0 ]; do
  case "$1" in
    --name) name="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --program) programs+=("$2"); shift 2 ;;
    --file) files+=("$2"); shift 2 ;;
    --dir) dirs+=("$2"); shift 2 ;;
    --entrypoint) entrypoint="$2"; shift 2 ;;
    --cmd) cmd="$2"; shift 2 ;;
    --env) envs+=("$2"); shift 2 ;;
    --port) ports+=("$2"); shift 2 ;;
    *) die "build-image.sh: unknown argument $1" ;;
  esac
done
[ -n "$name" ] && [ -n "$out" ] || die "build-image.sh: --name and --out are required"

apt_install buildah

# buildah keeps its own storage in the cache (vfs: works as root without fuse or overlay support).
BUILDAH=(buildah --root "$LAMINA_CACHE/buildah/root" --runroot "$LAMINA_CACHE/buildah/run" --storage-driver vfs)

rootfs="$(mktemp -d)"
cleanup() { rm -rf "$rootfs"; [ -n "${container:-}" ] && "${BUILDAH[@]}" rm "$container" >/dev/null 2>&1 || true; }
trap cleanup EXIT

add_file() { # SRC DEST
  [ -e "$1" ] || die "build-image.sh ($name): $1 does not exist"
  mkdir -p "$rootfs$(dirname "$2")"
  cp -L "$1" "$rootfs$2"
}

# The loader and libraries a dynamically linked program needs, at the paths it will look for them.
add_libraries_of() { # PROGRAM
  local lib
  if ! ldd "$1" >/dev/null 2>&1; then return 0; fi # static: nothing to add
  while read -r lib; do
    add_file "$lib" "$lib"
  done < <(ldd "$1" | grep -oE '(/[^ ]+)' | sort -u)
}

for spec in "${programs[@]}"; do add_file "${spec%%:*}" "${spec#*:}"; add_libraries_of "${spec%%:*}"; done
for spec in "${files[@]}"; do add_file "${spec%%:*}" "${spec#*:}"; done
for spec in "${dirs[@]}"; do
  [ -d "${spec%%:*}" ] || die "build-image.sh ($name): ${spec%%:*} is not a folder"
  mkdir -p "$rootfs${spec#*:}" && cp -a "${spec%%:*}/." "$rootfs${spec#*:}/"
done

mkdir -p "$rootfs/etc" "$rootfs/tmp"
chmod 1777 "$rootfs/tmp"
# 65532 is the conventional "nonroot" user of distroless images.
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/tmp:/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$rootfs/etc/group"

container="$("${BUILDAH[@]}" from scratch)"
"${BUILDAH[@]}" copy "$container" "$rootfs/" / >/dev/null
config=(--user 65532:65532 --workingdir /)
[ -n "$entrypoint" ] && config+=(--entrypoint "$entrypoint")
[ -n "$cmd" ] && config+=(--cmd "$cmd")
for e in "${envs[@]}"; do config+=(--env "$e"); done
for p in "${ports[@]}"; do config+=(--port "$p"); done
"${BUILDAH[@]}" config "${config[@]}" "$container"
"${BUILDAH[@]}" commit --quiet --rm "$container" "$name" >/dev/null
container=""

mkdir -p "$(dirname "$out")"
rm -f "$out"
"${BUILDAH[@]}" push --quiet "$name" "oci-archive:$out:$name" >/dev/null
"${BUILDAH[@]}" rmi "$name" >/dev/null 2>&1 || true
log "image $name -> $out ($(du -h "$out" | cut -f1))"

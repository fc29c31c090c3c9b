#!/usr/bin/env bash
# Builds image_name runtime-shim (docker.io/lamina/runtime-shim:dev) into $LAMINA_CACHE/images and
# prints the archive path (last line of stdout). Rebuilt only when its inputs or its name change.
#
# The shim runs inside other people's images (any libc or none), so it brings its own: the
# program is published as one native executable (NativeAOT), and the folder it lives in carries
# the glibc loader and every library ldd lists, with the program patched (patchelf) to use that
# loader and find those libraries through its rpath. No LD_LIBRARY_PATH, so the function's processes, which the shim
# starts, see the image's own libraries. docs/runtime-shim-build.md explains the choices.
#
# The finished folder stays at $LAMINA_CACHE/runtime-shim/opt-lamina (what the image holds at
# /opt/lamina); $LAMINA_CACHE/runtime-shim/host/runtime-shim is the same program unpatched, which
# runs on this machine's own loader (make bench measures it).
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/common.sh"

# Where the folder sits in every pod: the init container's image has it there, and the function
# container mounts the emptyDir it was copied into at the same place, so the patched paths hold.
MOUNT_POINT=/opt/lamina
PROGRAM=runtime-shim
LOADER=ld-linux-x86-64.so.2

project="$LAMINA_ROOT/runtime-shim/Lamina.RuntimeShim"
cache="$LAMINA_CACHE/runtime-shim"
layout="$cache/opt-lamina"
archive="$LAMINA_CACHE/images/runtime-shim.tar"
stamp="$archive.sha256"
name="$(image_name runtime-shim)"
publish_log="$LAMINA_CACHE/logs/runtime-shim-publish.log"

# busybox-static: the smoke test's root filesystem without glibc.
apt_install patchelf busybox-static
mkdir -p "$cache" "$(dirname "$archive")" "$(dirname "$publish_log")"

# Two builds at once (make images beside a test run) would share the artifacts folder and layout.
exec 9>"$cache/build.lock"
flock 9

# Everything the image is made from: the shim's sources and the one project of ours it references
# (operator/Lamina.Contracts); its libraries are NuGet packages, whose versions are in
# Directory.Packages.props), the repository-wide
# build settings, these scripts, and the toolchain and host libraries that end up in the image.
inputs_digest() {
  (
    echo "$name"
    cd "$LAMINA_ROOT"
    find runtime-shim operator/Lamina.Contracts \( -name bin -o -name obj -o -name artifacts \) -prune \
      -o -type f ! -name '*.md' -print | LC_ALL=C sort | xargs -d '\n' sha256sum
    sha256sum Directory.Build.props Directory.Packages.props .editorconfig \
      hack/images/runtime-shim/build.sh hack/images/runtime-shim/smoke-test.sh \
      hack/images/runtime-shim/bootstrap-busybox hack/images/build-image.sh
    dotnet --version
    dpkg-query -W libc6 libstdc++6 libgcc-s1 patchelf busybox-static
  ) | sha256sum | cut -d' ' -f1
}
digest="$(inputs_digest)"
if [ -f "$archive" ] && [ -x "$layout/$PROGRAM" ] && [ -x "$cache/host/$PROGRAM" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$digest" ]; then
  log "runtime shim layout: $layout (unchanged)"
  echo "$archive"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

log "publishing the runtime shim (NativeAOT; log: $publish_log)"
# No build servers: one left running would outlive the script holding the lock (fd 9) open.
if ! dotnet publish "$project" -c Release -r linux-x64 --artifacts-path "$cache/artifacts" \
    --disable-build-servers -o "$work/publish" >"$publish_log" 2>&1 9>&-; then
  tail -n 30 "$publish_log" >&2
  die "publishing the runtime shim failed (log: $publish_log)"
fi
[ -f "$work/publish/$PROGRAM" ] || die "the publish folder has no $PROGRAM (log: $publish_log)"

# The program and whatever else it needs beside it (nothing, for NativeAOT). Documentation, symbols
# (runtime-shim.dbg, 3 times the program's size) and the static web assets manifest are build
# by-products the shim never reads; the LTTng tracing provider of a CoreCLR folder publish is
# optional (the runtime goes on without it) and needs liblttng.
next="$cache/opt-lamina.next"
rm -rf "$next"
mkdir -p "$next"
cp -a "$work/publish/." "$next/"
find "$next" -type f \( -name '*.xml' -o -name '*.pdb' -o -name '*.dbg' -o -name '*.staticwebassets.*' \
  -o -name libcoreclrtraceptprovider.so \) -delete

# The loader and every library the program and its native parts need, as ldd resolves them here.
libraries_of() { # ELF...
  local elf
  for elf in "$@"; do
    if ldd "$elf" 2>&1 | grep -q 'not found'; then
      ldd "$elf" >&2
      die "$elf needs a library this machine does not have"
    fi
    ldd "$elf" 2>/dev/null | grep -oE '/[^ ]+' || true
  done | sort -u
}
mapfile -t natives < <(find "$next" -maxdepth 1 -type f -name '*.so*')
libraries="$(libraries_of "$next/$PROGRAM" "${natives[@]}")"
[ -n "$libraries" ] || die "ldd lists no libraries for $PROGRAM: is it statically linked?"
echo "$libraries" | grep -q "/$LOADER\$" || die "ldd lists no $LOADER for $PROGRAM"
mkdir -p "$next/lib"
while read -r lib; do
  case "$lib" in "$next"/*) continue ;; esac # the runtime's own, already beside the program
  cp -L "$lib" "$next/lib/$(basename "$lib")"
done <<<"$libraries"

# DT_RPATH rather than RUNPATH (--force-rpath): an rpath also covers the libraries' own
# dependencies (libstdc++ needs libm, libgcc_s), and unlike LD_LIBRARY_PATH it is not inherited
# by the processes the shim starts.
patchelf --set-interpreter "$MOUNT_POINT/lib/$LOADER" --force-rpath --set-rpath "$MOUNT_POINT/lib" \
  "$next/$PROGRAM"

# Smoke test: the patched folder, as pods use it, in a root with no glibc, read-only, as 65532:
# `install` (the init container's command), then two invocations through the installed copy.
"$LAMINA_ROOT/hack/images/runtime-shim/smoke-test.sh" "$next" 9>&-

# The same published program, unpatched (the host's loader): what make bench measures on this machine.
rm -rf "$cache/host"
mkdir -p "$cache/host"
cp "$work/publish/$PROGRAM" "$cache/host/$PROGRAM"

rm -rf "$layout"
mv "$next" "$layout"
log "runtime shim layout: $layout ($(du -sh "$layout" | cut -f1), program $(du -h "$layout/$PROGRAM" | cut -f1))"

"$LAMINA_ROOT/hack/images/build-image.sh" --name "$name" --out "$archive" \
  --dir "$layout:$MOUNT_POINT" --entrypoint "[\"$MOUNT_POINT/$PROGRAM\"]"
echo "$digest" >"$stamp"
echo "$archive"

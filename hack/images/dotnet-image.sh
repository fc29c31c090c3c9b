#!/usr/bin/env bash
# Builds the image of one of Lamina's .NET programs into $LAMINA_CACHE/images and prints the archive
# path (last line of stdout). hack/images/operator/build.sh and hack/images/gateway/build.sh call it:
#
#   dotnet-image.sh COMPONENT PROJECT PROGRAM
#   e.g. dotnet-image.sh operator operator/Lamina.Operator lamina-operator
#
# The image (image_name COMPONENT) holds the project published in Release, self-contained for
# linux-x64, in /app with /app/PROGRAM as its entrypoint; the glibc loader and every library ldd
# lists for the program and the runtime's native parts; libssl.so.3 and libcrypto.so.3, which .NET's
# TLS loads with dlopen (ldd cannot see them) and the programs need for HTTPS to the API server;
# and Debian's CA bundle. It runs as 65532:65532 with a read-only root filesystem: a folder publish
# (no single-file bundle to extract) writes nothing; the runtime's diagnostics socket goes to /tmp.
#
# Not NativeAOT, as the shim is: KubernetesClient and YamlDotNet produce trimming and AOT analysis
# warnings, errors here (TreatWarningsAsErrors). Not trimmed for the same reason. No ICU: the
# projects set InvariantGlobalization (Directory.Build.props), checked below.
#
# Rebuilt only when its inputs change: everything under operator/ (the programs share their library
# projects and the gRPC contract), the repository-wide build settings, these scripts, the SDK and
# the host packages whose files end up in the image.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

[ $# -eq 3 ] || die "usage: dotnet-image.sh COMPONENT PROJECT PROGRAM"
component="$1" project="$2" program="$3"
name="$(image_name "$component")"
cache="$LAMINA_CACHE/dotnet-images"
archive="$LAMINA_CACHE/images/$component.tar"
stamp="$archive.sha256"
publish_log="$LAMINA_CACHE/logs/$component-publish.log"
# What the programs dlopen: OpenSSL for TLS. Not libgssapi_krb5 (Negotiate authentication, unused),
# not libz (System.IO.Compression.Native carries its own zlib-ng), not ICU (invariant globalization).
DLOPENED=(libssl.so.3 libcrypto.so.3)
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

[ -f "$LAMINA_ROOT/$project/$(basename "$project").csproj" ] || die "dotnet-image.sh: no project at $project"
apt_install libssl3 ca-certificates
mkdir -p "$cache" "$(dirname "$archive")" "$(dirname "$publish_log")"

# One lock for every .NET image: the programs share library projects, so their builds share obj
# folders in $cache/artifacts (never the repository's artifacts/, which make build and tests use).
exec 9>"$cache/build.lock"
flock 9

inputs_digest() {
  (
    echo "$name $project $program"
    cd "$LAMINA_ROOT"
    find operator \( -name bin -o -name obj -o -name artifacts \) -prune \
      -o -type f ! -name '*.md' -print | LC_ALL=C sort | xargs -d '\n' sha256sum
    sha256sum Directory.Build.props Directory.Packages.props .editorconfig \
      hack/images/dotnet-image.sh "hack/images/$component/build.sh" hack/images/build-image.sh
    dotnet --version
    dpkg-query -W libc6 libstdc++6 libgcc-s1 libssl3 ca-certificates
  ) | sha256sum | cut -d' ' -f1
}
digest="$(inputs_digest)"
if [ -f "$archive" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$digest" ]; then
  echo "$archive"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
app="$work/app"

log "$component: publishing $project (Release, self-contained linux-x64; log: $publish_log)"
# No build servers: one left running would outlive the script holding the lock (fd 9) open.
if ! dotnet publish "$LAMINA_ROOT/$project" -c Release -r linux-x64 --self-contained \
    --artifacts-path "$cache/artifacts" --disable-build-servers -o "$app" >"$publish_log" 2>&1 9>&-; then
  tail -n 30 "$publish_log" >&2
  die "$component: publishing $project failed (log: $publish_log)"
fi
[ -x "$app/$program" ] || die "$component: the publish folder has no $program (log: $publish_log)"
grep -q '"System.Globalization.Invariant": true' "$app/$program.runtimeconfig.json" ||
  die "$component: $program is not built with InvariantGlobalization, and the image has no ICU"

# Build by-products the program never reads: XML documentation and the static web assets manifest.
# The LTTng tracing provider is optional (the runtime goes on without it) and needs liblttng. The
# .pdb files stay (line numbers in stack traces), as do createdump and the debugger's libraries.
find "$app" -type f \( -name '*.xml' -o -name '*.staticwebassets.*' -o -name libcoreclrtraceptprovider.so \) -delete

# The libraries of the program and of the runtime's native parts, as ldd resolves them here, and
# the ones they dlopen.
libraries_of() { # ELF...
  local elf
  for elf in "$@"; do
    if ldd "$elf" 2>&1 | grep -q 'not found'; then
      ldd "$elf" >&2
      die "$component: $elf needs a library this machine does not have"
    fi
    ldd "$elf" | grep -oE '/[^ ]+' | grep -v "^$app/" || true # the runtime's own are in /app already
  done
  for soname in "${DLOPENED[@]}"; do
    ldconfig -p | awk -v soname="$soname" '$1 == soname && /x86-64/ && !found { print $NF; found = 1 } END { exit !found }' ||
      die "$component: this machine has no $soname"
  done
}
mapfile -t elves < <(find "$app" -maxdepth 1 -type f \( -name '*.so' -o -name "$program" -o -name createdump \))
libraries="$(libraries_of "${elves[@]}" | sort -u)"
files=()
while read -r lib; do files+=(--file "$lib:$lib"); done <<<"$libraries"

"$LAMINA_ROOT/hack/images/build-image.sh" --name "$name" --out "$archive" \
  --dir "$app:/app" "${files[@]}" --file "$CA_BUNDLE:$CA_BUNDLE" \
  --entrypoint "[\"/app/$program\"]" --env SSL_CERT_FILE="$CA_BUNDLE"
echo "$digest" >"$stamp"
echo "$archive"

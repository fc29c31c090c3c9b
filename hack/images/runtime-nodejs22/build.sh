#!/usr/bin/env bash
# Builds image_name runtime-nodejs22 (docker.io/lamina/runtime-nodejs22:dev) into
# $LAMINA_CACHE/images, the managed image of nodejs22.x: Node 22 and AWS's aws-lambda-ric
# (hack/images/node-runtime.sh builds both) in the layout of AWS's nodejs base images. Prints the
# archive last. No code in /var/task: the operator mounts the function's unpacked zip there
# read-only and its layers at /opt (docs/runtimes.md).
#   /lambda-entrypoint.sh     the Function's default command ([handler] its argument); execs /var/runtime/bootstrap
#   /var/runtime/bootstrap    runtimes/nodejs/bootstrap: /var/lang/bin/node .../aws-lambda-ric/index.mjs
#   /var/lang/bin/node        Node 22
#   /var/runtime/node_modules/aws-lambda-ric   the RIC (index.mjs, rapid-client.node), where AWS keeps it
#   /bin/bash for the two scripts; the libraries node, the addon and bash need
# Rebuilt only when the runtime folder, those files, this recipe or the image's name change.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/common.sh"
runtimes="$LAMINA_ROOT/runtimes"
runtime="$("$LAMINA_ROOT/hack/images/node-runtime.sh")"
runtime="${runtime##*$'\n'}"
archive="$LAMINA_CACHE/images/runtime-nodejs22.tar"
stamp="$archive.sha256"
name="$(image_name runtime-nodejs22)"
mkdir -p "$(dirname "$archive")"
# Two builds at once would write the same archive.
exec 9>"$archive.lock"
flock 9
# The runtime folder's name carries its versions and recipe, so it stands in for its contents.
digest="$({
  echo "$name"
  echo "$runtime"
  cat "$runtimes/nodejs/bootstrap" "$runtimes/lambda-paths.env" "$LAMINA_ROOT/examples/runtimes/lambda-entrypoint.sh" \
    "${BASH_SOURCE[0]}" "$LAMINA_ROOT/hack/images/build-image.sh"
  dpkg-query -W bash
} | sha256sum | cut -d' ' -f1)"
if [ -f "$archive" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$digest" ]; then
  echo "$archive"
  exit 0
fi
skeleton="$(mktemp -d)"
trap 'rm -rf "$skeleton"' EXIT
mkdir -p "$skeleton/var/task" "$skeleton/opt"
envs=()
while IFS= read -r line; do envs+=(--env "$line"); done < <(grep -E '^[A-Z_]+=' "$runtimes/lambda-paths.env")
ric=node_modules/aws-lambda-ric
"$LAMINA_ROOT/hack/images/build-image.sh" --name "$name" --out "$archive" \
  --program "$(command -v bash):/bin/bash" \
  --program "$runtime/bin/node:/var/lang/bin/node" \
  --program "$runtime/$ric/rapid-client.node:/var/runtime/$ric/rapid-client.node" \
  --dir "$runtime/$ric:/var/runtime/$ric" \
  --file "$runtime/LICENSE:/var/lang/LICENSE" \
  --file "$LAMINA_ROOT/examples/runtimes/lambda-entrypoint.sh:/lambda-entrypoint.sh" \
  --file "$runtimes/nodejs/bootstrap:/var/runtime/bootstrap" \
  --dir "$skeleton:/" \
  --cmd '["/lambda-entrypoint.sh"]' \
  "${envs[@]}" \
  --env NODE_PATH=/opt/nodejs/node22/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task \
  --env AWS_EXECUTION_ENV=AWS_Lambda_nodejs22.x
echo "$digest" >"$stamp"
echo "$archive"

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
source "$LAMINA_ROOT/hack/images/runtime-common/lib.sh"
# Lambda's: a layer's nodejs/node22/node_modules, then nodejs/node_modules, then the runtime's.
NODE_PATH=/opt/nodejs/node22/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task
runtime="$("$LAMINA_ROOT/hack/images/node-runtime.sh")"
runtime="${runtime##*$'\n'}"
archive="$LAMINA_CACHE/images/runtime-nodejs22.tar"
name="$(image_name runtime-nodejs22)"
# The runtime folder's name carries its versions and recipe, so it stands in for its contents.
digest="$({
  echo "$name"
  echo "$runtime"
  cat "$LAMINA_ROOT/runtimes/nodejs/bootstrap" "${BASH_SOURCE[0]}"
  runtime_image_inputs
  dpkg-query -W bash
} | sha256sum | cut -d' ' -f1)"
runtime_image_start "$archive" "$digest"

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
runtime_image_args "$root"
ric=node_modules/aws-lambda-ric
"$LAMINA_ROOT/hack/images/build-image.sh" --name "$name" --out "$archive" \
  --program "$(command -v bash):/bin/bash" \
  --program "$runtime/bin/node:/var/lang/bin/node" \
  --program "$runtime/$ric/rapid-client.node:/var/runtime/$ric/rapid-client.node" \
  --dir "$runtime/$ric:/var/runtime/$ric" \
  --file "$runtime/LICENSE:/var/lang/LICENSE" \
  --file "$LAMINA_ROOT/runtimes/nodejs/bootstrap:/var/runtime/bootstrap" \
  "${RUNTIME_ARGS[@]}" \
  --env NODE_PATH="$NODE_PATH" \
  --env AWS_EXECUTION_ENV=AWS_Lambda_nodejs22.x
runtime_image_done "$archive" "$digest"

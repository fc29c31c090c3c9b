#!/usr/bin/env bash
# Builds image_name example-node (docker.io/lamina/example-node:dev) into $LAMINA_CACHE/images:
# Node 22 with AWS's aws-lambda-ric (hack/images/node-runtime.sh builds both) and the conformance
# function of examples/runtimes/node. Prints the archive last. The layout follows AWS's nodejs base
# images:
#   /lambda-entrypoint.sh     the Function's default command; execs /var/runtime/bootstrap
#   /var/runtime/bootstrap    starts the RIC: /var/lang/bin/node .../aws-lambda-ric/index.mjs
#   /var/lang                 the runtime folder node-runtime.sh prints: bin/node and
#                             node_modules/aws-lambda-ric (index.mjs, rapid-client.node)
#   /var/task/index.mjs       the function (_HANDLER=index.handler)
#   /bin/bash for the two scripts; the libraries node, the addon and bash need
# Rebuilt only when the runtime folder, those files, this recipe or the image's name change.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/common.sh"
src="$LAMINA_ROOT/examples/runtimes"
runtime="$("$LAMINA_ROOT/hack/images/node-runtime.sh")"
runtime="${runtime##*$'\n'}"
archive="$LAMINA_CACHE/images/example-node.tar"
stamp="$archive.sha256"
name="$(image_name example-node)"
# The runtime folder's name carries its versions and recipe, so it stands in for its contents.
digest="$({
  echo "$name"
  echo "$runtime"
  cat "$src/node/index.mjs" "$src/node/bootstrap" "$src/lambda-entrypoint.sh" \
    "${BASH_SOURCE[0]}" "$LAMINA_ROOT/hack/images/build-image.sh"
  dpkg-query -W bash
} | sha256sum | cut -d' ' -f1)"
if [ -f "$archive" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$digest" ]; then
  echo "$archive"
  exit 0
fi
ric=node_modules/aws-lambda-ric
"$LAMINA_ROOT/hack/images/build-image.sh" --name "$name" --out "$archive" \
  --program "$(command -v bash):/bin/bash" \
  --program "$runtime/bin/node:/var/lang/bin/node" \
  --program "$runtime/$ric/rapid-client.node:/var/lang/$ric/rapid-client.node" \
  --dir "$runtime/$ric:/var/lang/$ric" \
  --file "$runtime/LICENSE:/var/lang/LICENSE" \
  --file "$src/lambda-entrypoint.sh:/lambda-entrypoint.sh" \
  --file "$src/node/bootstrap:/var/runtime/bootstrap" \
  --file "$src/node/index.mjs:/var/task/index.mjs" \
  --cmd '["/lambda-entrypoint.sh"]' \
  --env PATH=/var/lang/bin:/usr/bin:/bin \
  --env LAMBDA_TASK_ROOT=/var/task \
  --env LAMBDA_RUNTIME_DIR=/var/runtime \
  --env _HANDLER=index.handler
echo "$digest" >"$stamp"
echo "$archive"

#!/usr/bin/env bash
# Builds image_name example-provided (docker.io/lamina/example-provided:dev) into
# $LAMINA_CACHE/images: the bash "provided" runtime of examples/runtimes/provided with its
# conformance function. Prints the archive last.
#   /lambda-entrypoint.sh     the Function's default command; execs /var/runtime/bootstrap
#   /var/runtime/bootstrap    the runtime loop
#   /var/task/function.sh     the function (_HANDLER=function.handler)
#   /bin/bash, /usr/bin/curl, /usr/bin/sleep and the libraries they need
# Rebuilt only when those files, this recipe, the image's name or the host's bash, curl or
# coreutils change.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/common.sh"
src="$LAMINA_ROOT/examples/runtimes"
archive="$LAMINA_CACHE/images/example-provided.tar"
stamp="$archive.sha256"
name="$(image_name example-provided)"
digest="$({
  echo "$name"
  cat "$src/provided/bootstrap" "$src/provided/function.sh" "$src/lambda-entrypoint.sh" \
    "${BASH_SOURCE[0]}" "$LAMINA_ROOT/hack/images/build-image.sh"
  dpkg-query -W bash curl libcurl4 coreutils
} | sha256sum | cut -d' ' -f1)"
if [ -f "$archive" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$digest" ]; then
  echo "$archive"
  exit 0
fi
apt_install curl
"$LAMINA_ROOT/hack/images/build-image.sh" --name "$name" --out "$archive" \
  --program "$(command -v bash):/bin/bash" \
  --program "$(command -v curl):/usr/bin/curl" \
  --program "$(command -v sleep):/usr/bin/sleep" \
  --file "$src/lambda-entrypoint.sh:/lambda-entrypoint.sh" \
  --file "$src/provided/bootstrap:/var/runtime/bootstrap" \
  --file "$src/provided/function.sh:/var/task/function.sh" \
  --cmd '["/lambda-entrypoint.sh"]' \
  --env PATH=/usr/bin:/bin \
  --env LAMBDA_TASK_ROOT=/var/task \
  --env LAMBDA_RUNTIME_DIR=/var/runtime \
  --env _HANDLER=function.handler
echo "$digest" >"$stamp"
echo "$archive"

#!/usr/bin/env bash
# Builds image_name runtime-provided (docker.io/lamina/runtime-provided:dev) into
# $LAMINA_CACHE/images, the managed image of provided.al2023 and provided.al2: the function's own
# bootstrap is the runtime. Prints the archive last. No code in /var/task: the operator mounts the
# function's unpacked zip there read-only and its layers at /opt (docs/runtimes.md).
#   /lambda-entrypoint.sh     the Function's default command ([handler] its argument); execs /var/runtime/bootstrap
#   /var/runtime/bootstrap    runtimes/provided/bootstrap: execs $LAMBDA_TASK_ROOT/bootstrap, else /opt/bootstrap
#   /bin/bash, /usr/bin/curl, /usr/bin/sleep (the example-provided image's tools) and the few more
#                             a bash bootstrap after AWS's custom-runtime tutorial calls (mktemp,
#                             grep, tr, cut, sed, …), with their libraries
# Rebuilt only when those files, this recipe, the image's name or the host's bash, curl,
# coreutils, grep or sed change.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/common.sh"
source "$LAMINA_ROOT/hack/images/runtime-common/lib.sh"
# AWS's tutorial bootstrap: mktemp for the headers, grep | tr | cut for the request id; the rest
# are what shell scripts reach for. A few hundred KB in all.
TOOLS=(sleep cat cut date dirname basename env head tail mktemp rm mkdir ls tr wc sort tee printf true false grep sed)
archive="$LAMINA_CACHE/images/runtime-provided.tar"
name="$(image_name runtime-provided)"
apt_install curl
digest="$({
  echo "$name"
  cat "$LAMINA_ROOT/runtimes/provided/bootstrap" "${BASH_SOURCE[0]}"
  runtime_image_inputs
  dpkg-query -W bash curl libcurl4 coreutils grep sed
} | sha256sum | cut -d' ' -f1)"
runtime_image_start "$archive" "$digest"

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
runtime_image_args "$root"
tools=()
for tool in "${TOOLS[@]}"; do tools+=(--program "$(type -P "$tool"):/usr/bin/$tool"); done
"$LAMINA_ROOT/hack/images/build-image.sh" --name "$name" --out "$archive" \
  --program "$(command -v bash):/bin/bash" \
  --program "$(command -v curl):/usr/bin/curl" \
  "${tools[@]}" \
  --file "$LAMINA_ROOT/runtimes/provided/bootstrap:/var/runtime/bootstrap" \
  "${RUNTIME_ARGS[@]}"
runtime_image_done "$archive" "$digest"

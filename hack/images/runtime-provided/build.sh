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
# Rebuilt only when those files, this recipe, the image's name or the host's bash, curl or
# coreutils change.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/common.sh"
runtimes="$LAMINA_ROOT/runtimes"
archive="$LAMINA_CACHE/images/runtime-provided.tar"
stamp="$archive.sha256"
name="$(image_name runtime-provided)"
mkdir -p "$(dirname "$archive")"
# Two builds at once would write the same archive.
exec 9>"$archive.lock"
flock 9
digest="$({
  echo "$name"
  cat "$runtimes/provided/bootstrap" "$runtimes/lambda-paths.env" "$LAMINA_ROOT/examples/runtimes/lambda-entrypoint.sh" \
    "${BASH_SOURCE[0]}" "$LAMINA_ROOT/hack/images/build-image.sh"
  dpkg-query -W bash curl libcurl4 coreutils grep sed
} | sha256sum | cut -d' ' -f1)"
if [ -f "$archive" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$digest" ]; then
  echo "$archive"
  exit 0
fi
apt_install curl
# Empty mount points: the operator mounts the code at /var/task and the layers at /opt.
skeleton="$(mktemp -d)"
trap 'rm -rf "$skeleton"' EXIT
mkdir -p "$skeleton/var/task" "$skeleton/opt"
# AWS's tutorial bootstrap: mktemp for the headers, grep | tr | cut for the request id; the rest
# are what shell scripts reach for. A few hundred KB in all.
tools=()
for tool in cat cut date dirname basename env head tail mktemp rm mkdir ls tr wc sort tee printf true false grep sed; do
  tools+=(--program "$(type -P "$tool"):/usr/bin/$tool")
done
envs=()
while IFS= read -r line; do envs+=(--env "$line"); done < <(grep -E '^[A-Z_]+=' "$runtimes/lambda-paths.env")
"$LAMINA_ROOT/hack/images/build-image.sh" --name "$name" --out "$archive" \
  --program "$(command -v bash):/bin/bash" \
  --program "$(command -v curl):/usr/bin/curl" \
  --program "$(command -v sleep):/usr/bin/sleep" \
  "${tools[@]}" \
  --file "$LAMINA_ROOT/examples/runtimes/lambda-entrypoint.sh:/lambda-entrypoint.sh" \
  --file "$runtimes/provided/bootstrap:/var/runtime/bootstrap" \
  --dir "$skeleton:/" \
  --cmd '["/lambda-entrypoint.sh"]' \
  "${envs[@]}"
echo "$digest" >"$stamp"
echo "$archive"

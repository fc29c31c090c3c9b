#!/usr/bin/env bash
# Builds image_name registry (docker.io/lamina/registry:dev) into $LAMINA_CACHE/images and prints the
# archive path last: Debian's docker-registry (hack/registry.sh installs it; 2.8.2 on Debian 12), the
# code store of function and layer zips (docs/code-store.md), with the libraries ldd lists for it.
#   /usr/bin/docker-registry   the entrypoint; the chart passes `serve <config.yml>` (its ConfigMap)
# Non-root (65532, build-image.sh's user), no shell: the chart's probes are HTTP (/debug/health).
# Rebuilt only when this recipe, the image's name, the program or its libraries change.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/common.sh"
PROGRAM=/usr/bin/docker-registry
archive="$LAMINA_CACHE/images/registry.tar"
stamp="$archive.sha256"
name="$(image_name registry)"

"$LAMINA_ROOT/hack/registry.sh"
mkdir -p "$(dirname "$archive")"
# Two builds at once would write the same archive.
exec 9>"$archive.lock"
flock 9

# The program and its libraries stand for the package they come from.
digest="$({
  echo "$name"
  cat "${BASH_SOURCE[0]}" "$LAMINA_ROOT/hack/images/build-image.sh"
  ldd "$PROGRAM" | grep -oE '/[^ ]+' | sort -u | xargs sha256sum
  sha256sum "$PROGRAM"
} | sha256sum | cut -d' ' -f1)"
if [ -f "$archive" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$digest" ]; then
  echo "$archive"
  exit 0
fi
"$LAMINA_ROOT/hack/images/build-image.sh" --name "$name" --out "$archive" \
  --program "$PROGRAM:$PROGRAM" \
  --entrypoint '["/usr/bin/docker-registry"]' --cmd '["serve", "/etc/docker/registry/config.yml"]' \
  --port 5000
echo "$digest" >"$stamp"
echo "$archive"

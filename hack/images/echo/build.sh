#!/usr/bin/env bash
# Builds the echo image (image_name echo: docker.io/lamina/echo:dev by default), the cluster check's
# HTTP server, into $LAMINA_CACHE/images. Rebuilt only when its source or its name changes.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/common.sh"
here="$LAMINA_ROOT/hack/images/echo"
archive="$LAMINA_CACHE/images/echo.tar"
stamp="$archive.sha256"
name="$(image_name echo)"
digest="$({ echo "$name"; cat "$here/echo-server.c" "$here/build.sh" "$LAMINA_ROOT/hack/images/build-image.sh"; } | sha256sum | cut -d' ' -f1)"
if [ -f "$archive" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$digest" ]; then
  echo "$archive"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
gcc -O2 -Wall -Werror -o "$work/echo-server" "$here/echo-server.c" || die "compiling echo-server.c failed"
"$LAMINA_ROOT/hack/images/build-image.sh" --name "$name" --out "$archive" \
  --program "$work/echo-server:/echo-server" --entrypoint '["/echo-server"]' --port 8080
echo "$digest" >"$stamp"
echo "$archive"

#!/usr/bin/env bash
# Builds image_name redis (docker.io/lamina/redis:dev) into $LAMINA_CACHE/images and prints the
# archive path last: Debian's redis-server (hack/redis.sh installs it; 7.0 on Debian 12), the store
# of the gateways' async queue, and redis-cli for probes, with the libraries ldd lists for them.
#   /usr/bin/redis-server     the entrypoint, with no configuration file: the chart passes every
#                             setting as arguments (--appendonly yes --appendfsync always --dir /data)
#   /usr/bin/redis-cli        `redis-cli ping` for liveness and readiness probes
# Rebuilt only when this recipe, the image's name, the two programs or their libraries change.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/common.sh"
PROGRAMS=(/usr/bin/redis-server /usr/bin/redis-cli)
archive="$LAMINA_CACHE/images/redis.tar"
stamp="$archive.sha256"
name="$(image_name redis)"

"$LAMINA_ROOT/hack/redis.sh"
mkdir -p "$(dirname "$archive")"
# Two builds at once would write the same archive.
exec 9>"$archive.lock"
flock 9

# The programs and their libraries themselves stand for the packages they come from.
digest="$({
  echo "$name"
  cat "${BASH_SOURCE[0]}" "$LAMINA_ROOT/hack/images/build-image.sh"
  for program in "${PROGRAMS[@]}"; do ldd "$program"; done | grep -oE '/[^ ]+' | sort -u | xargs sha256sum
  sha256sum "${PROGRAMS[@]}"
} | sha256sum | cut -d' ' -f1)"
if [ -f "$archive" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$digest" ]; then
  echo "$archive"
  exit 0
fi
# Debian's redis-server is a link to redis-check-rdb, one program that acts on the name it is run
# by; build-image.sh copies the file it points to under the name given here.
"$LAMINA_ROOT/hack/images/build-image.sh" --name "$name" --out "$archive" \
  --program /usr/bin/redis-server:/usr/bin/redis-server \
  --program /usr/bin/redis-cli:/usr/bin/redis-cli \
  --entrypoint '["/usr/bin/redis-server"]' --port 6379
echo "$digest" >"$stamp"
echo "$archive"

#!/usr/bin/env bash
# Installs Debian's Redis (7.0 on Debian 12) for the async-invocation tests and the local cluster:
# the integration tests start their own redis-server on a free loopback port in a temporary folder,
# so only the binary is needed. Idempotent: nothing happens when redis-server is already on PATH.
# Debian's package also enables a system-wide redis-server service; the tests never use it.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi

require_root
log "installing redis-server (Debian's package)"
aptlog="$LAMINA_CACHE/logs/apt-install-redis.log"
mkdir -p "$(dirname "$aptlog")"
if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server; } >"$aptlog" 2>&1; then
  tail -n 20 "$aptlog" >&2
  die "could not install redis-server (log: $aptlog)"
fi
command -v redis-server >/dev/null 2>&1 || die "redis-server is still not on PATH after installing it"
log "redis-server: $(redis-server --version)"

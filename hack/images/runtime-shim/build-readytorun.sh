#!/usr/bin/env bash
# Publishes the runtime shim the way it was built before NativeAOT (self-contained, trimmed,
# ReadyToRun, single file, no tiered PGO) and prints the program's path (last line of stdout).
# make bench measures it beside the NativeAOT build in the same run, so the figures in
# docs/runtime-shim-build.md compare the two on one machine at one time. Not part of any image.
# Unpatched (the host's loader), like $LAMINA_CACHE/runtime-shim/host/runtime-shim.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/common.sh"

cache="$LAMINA_CACHE/runtime-shim/readytorun"
publish_log="$LAMINA_CACHE/logs/runtime-shim-readytorun-publish.log"
mkdir -p "$cache" "$(dirname "$publish_log")"

log "publishing the ReadyToRun runtime shim for comparison (log: $publish_log)"
# Incremental: a few seconds when nothing changed. No build servers (see build.sh).
if ! dotnet publish "$LAMINA_ROOT/runtime-shim/Lamina.RuntimeShim" -c Release -r linux-x64 \
    -p:PublishAot=false -p:PublishTrimmed=true -p:PublishReadyToRun=true -p:PublishSingleFile=true -p:TieredPGO=false \
    --artifacts-path "$cache/artifacts" --disable-build-servers -o "$cache/publish" >"$publish_log" 2>&1; then
  tail -n 30 "$publish_log" >&2
  die "publishing the ReadyToRun runtime shim failed (log: $publish_log)"
fi
[ -x "$cache/publish/runtime-shim" ] || die "the publish folder has no runtime-shim (log: $publish_log)"
echo "$cache/publish/runtime-shim"

#!/usr/bin/env bash
# make bench and make bench-smoke, after the cluster and images are in place: the bench (Release)
# with the published shim, and for the shim scenario its previous (ReadyToRun) build to measure in
# the same run.   bench.sh [--smoke] [<scenario>|all|list] [size]
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

"$LAMINA_ROOT/hack/images/runtime-shim/build.sh" >/dev/null
"$LAMINA_ROOT/hack/images/node-runtime.sh" >/dev/null
scenario="all"
for argument in "$@"; do case "$argument" in --*) ;; *) scenario="$argument"; break ;; esac; done
previous=""
case " $* " in *" --smoke "*) ;; *) case "$scenario" in all|shim) previous="$("$LAMINA_ROOT/hack/images/runtime-shim/build-readytorun.sh" | tail -n 1)" ;; esac ;; esac
[ "$scenario" = list ] || pause_make_up_operator "the bench"

cd "$LAMINA_ROOT"
LAMINA_SHIM_BINARY="$LAMINA_CACHE/runtime-shim/host/runtime-shim" LAMINA_SHIM_PREVIOUS_BINARY="$previous" \
  dotnet run -c Release --project bench/Lamina.Bench -- "$@"

#!/usr/bin/env bash
# What the managed runtime images (hack/images/runtime-*/build.sh) share; source it after
# hack/lib/common.sh. Each image is Lambda's execution environment around one runtime:
# /lambda-entrypoint.sh as the command, empty /var/task and /opt (the operator mounts the code and
# the layers there, read-only) and Lambda's variables (runtimes/lambda-paths.env).

RUNTIME_COMMON="$LAMINA_ROOT/hack/images/runtime-common/lib.sh"
RUNTIME_ENTRYPOINT="$LAMINA_ROOT/examples/runtimes/lambda-entrypoint.sh"
RUNTIME_PATHS="$LAMINA_ROOT/runtimes/lambda-paths.env"

# runtime_image_start ARCHIVE DIGEST: takes the archive's lock (two builds at once would write the
# same archive) and exits the script printing the archive when its stamp says DIGEST already.
runtime_image_start() {
  mkdir -p "$(dirname "$1")"
  exec 9>"$1.lock"
  flock 9
  if [ -f "$1" ] && [ "$(cat "$1.sha256" 2>/dev/null)" = "$2" ]; then
    echo "$1"
    exit 0
  fi
}

# runtime_image_inputs: what every runtime image is made of besides its own files, for its digest.
runtime_image_inputs() {
  cat "$RUNTIME_COMMON" "$RUNTIME_ENTRYPOINT" "$RUNTIME_PATHS" "$LAMINA_ROOT/hack/images/build-image.sh"
}

# runtime_image_args ROOT: makes the empty mount points in the folder ROOT (copied to / by
# build-image.sh) and sets RUNTIME_ARGS to the build-image.sh arguments every runtime image takes.
runtime_image_args() {
  mkdir -p "$1/var/task" "$1/opt"
  RUNTIME_ARGS=(--dir "$1:/" --file "$RUNTIME_ENTRYPOINT:/lambda-entrypoint.sh" --cmd '["/lambda-entrypoint.sh"]')
  local line
  while IFS= read -r line; do RUNTIME_ARGS+=(--env "$line"); done < <(grep -E '^[A-Z_]+=' "$RUNTIME_PATHS")
}

# runtime_image_done ARCHIVE DIGEST: writes the stamp and prints the archive, last.
runtime_image_done() {
  echo "$2" >"$1.sha256"
  echo "$1"
}

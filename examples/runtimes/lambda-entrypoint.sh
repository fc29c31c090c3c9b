#!/bin/bash
# /lambda-entrypoint.sh of the example images, as in AWS's base images: a Function's default
# command. Its one argument, when given, is the handler (a Function's default args are
# [handler]); it then starts the runtime, /var/runtime/bootstrap.
if [ $# -gt 1 ]; then
  echo "usage: /lambda-entrypoint.sh [HANDLER]" >&2
  exit 142
fi
if [ $# -eq 1 ]; then
  export _HANDLER="$1"
fi
exec /var/runtime/bootstrap

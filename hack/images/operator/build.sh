#!/usr/bin/env bash
# Builds image_name operator (docker.io/lamina/operator:dev) into $LAMINA_CACHE/images and prints
# the archive path last: lamina-operator (operator/Lamina.Operator, with the concurrency controller
# and its gRPC service) in /app, entrypoint /app/lamina-operator. hack/images/dotnet-image.sh says
# how, docs/images.md what the image expects.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/common.sh"
exec "$LAMINA_ROOT/hack/images/dotnet-image.sh" operator operator/Lamina.Operator lamina-operator

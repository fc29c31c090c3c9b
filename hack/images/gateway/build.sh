#!/usr/bin/env bash
# Builds image_name gateway (docker.io/lamina/gateway:dev) into $LAMINA_CACHE/images and prints the
# archive path last: lamina-gateway (operator/Lamina.Gateway) in /app, entrypoint
# /app/lamina-gateway. hack/images/dotnet-image.sh says how, docs/images.md what the image expects.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/common.sh"
exec "$LAMINA_ROOT/hack/images/dotnet-image.sh" gateway operator/Lamina.Gateway lamina-gateway

#!/usr/bin/env bash
# Installs Debian's docker-registry (2.8 on Debian 12; the code store, docs/code-store.md) and
# apache2-utils (htpasswd, for the bcrypt credential file the registry's htpasswd auth reads). The
# integration tests start their own registry on a free loopback port in a temporary folder
# (RegistryServer in testing/Lamina.TestHarness), and hack/images/registry/build.sh copies the binary
# into the chart's image. Idempotent. The package's own service is not started in a container without
# an init system, and the tests never use it.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

apt_install docker-registry apache2-utils
command -v docker-registry >/dev/null 2>&1 || die "docker-registry is still not on PATH after installing it"

#!/usr/bin/env bash
# Tools the unit tier runs against: promtool (Debian's prometheus package) checks that the
# metrics exposition is valid Prometheus text. The package's service is not wanted: keep it off.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
if ! command -v promtool >/dev/null; then
  apt_install prometheus
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
fi
command -v promtool >/dev/null || die "promtool is still missing after installing Debian's prometheus package"
# Helm renders and lints the chart in tests/Lamina.Chart.Tests (it finds it in the cache).
"$LAMINA_ROOT/hack/helm.sh" >/dev/null

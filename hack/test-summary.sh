#!/usr/bin/env bash
# Prints the tiers' counts and their total as the last line of `make test`.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
total_passed=0 total_failed=0 total_skipped=0
for tier in Unit Integration EndToEnd; do
  counts="$LAMINA_ROOT/artifacts/test-results/$tier.counts"
  [ -f "$counts" ] || die "tier $tier did not run (no $counts)"
  cat "$counts"
  read -r p f s < <(grep -oE '[0-9]+' "$counts" | xargs)
  total_passed=$((total_passed + p)) total_failed=$((total_failed + f)) total_skipped=$((total_skipped + s))
done
echo "all tiers: $total_passed passed, $total_failed failed, $total_skipped skipped"

#!/usr/bin/env bash
# Runs one test tier (Unit, Integration or EndToEnd: the Category trait) over the whole
# solution and prints "<Tier>: N passed, N failed, N skipped". A tier that runs no test, or
# skips one, fails: a tier must never pass silently.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

tier="${1:?usage: test-tier.sh Unit|Integration|EndToEnd}"
results="$LAMINA_ROOT/artifacts/test-results/$tier"
rm -rf "$results" && mkdir -p "$results"

# make up's operator watches every namespace: it would reconcile the tests' Functions too.
[ "$tier" = EndToEnd ] && pause_make_up_operator "the end-to-end tests"

set +o errexit
dotnet test "$LAMINA_ROOT/Operator.sln" --no-build --nologo \
  --filter "Category=$tier" \
  --logger "trx;LogFilePrefix=$tier" --logger "console;verbosity=normal" \
  --results-directory "$results" 2>&1 | grep -vE '^\s*$|^Test run for|^VSTest version|^Starting test execution|^A total of .* test files matched'
status=${PIPESTATUS[0]}
set -o errexit

# Sum the counters of every assembly's TRX file.
read -r passed failed skipped < <(
  cat "$results"/*.trx 2>/dev/null | grep -oE '<Counters [^>]*' | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); gsub(/"/, "", kv[2]); c[kv[1]] += kv[2] } }
    END { printf "%d %d %d\n", c["passed"], c["failed"], c["total"] - c["passed"] - c["failed"] }')
# The failures again, last: CI keeps only the tail of the output, and the failing test's name
# and message must be in it.
if [ "$failed" -gt 0 ]; then
  python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as tree
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for trx in glob.glob(sys.argv[1] + "/*.trx"):
    for result in tree.parse(trx).getroot().iterfind(".//t:UnitTestResult[@outcome='Failed']", ns):
        message = result.findtext(".//t:ErrorInfo/t:Message", "", ns).strip()
        stack = result.findtext(".//t:ErrorInfo/t:StackTrace", "", ns).strip().splitlines()
        print(f"FAILED {result.get('testName')} ({result.get('duration')})\n  {message[:2000]}")
        print("\n".join("  " + line for line in stack[:8]))
PY
fi
echo "$tier: $passed passed, $failed failed, $skipped skipped" | tee "$results.counts"

[ "$status" -eq 0 ] || die "$tier tests failed (TRX results in $results)"
[ "$passed" -gt 0 ] || die "$tier: no test ran: the tier must not pass silently"
[ "$skipped" -eq 0 ] || die "$tier: $skipped tests were skipped; no tier may skip tests"

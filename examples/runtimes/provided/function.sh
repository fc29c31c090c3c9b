# shellcheck shell=bash disable=SC2034 # RESPONSE, ERROR_TYPE and ERROR_MESSAGE are bootstrap's to read
# The conformance function for the bash "provided" runtime (_HANDLER=function.handler); the
# Node example (../node/index.mjs) behaves the same. It returns the event unchanged, after what
# the event's keys ask for, in this order:
#   witness: URL  POST {"phase":"start","requestId":…,"pod":…} to URL (and "end" later)
#   sleepMs: N    sleep N milliseconds
#   print: K      print K bytes of log on stdout
#   exit: N       end the runtime process with code N, posting nothing
#   (witness)     POST the "end" phase
#   fail: "MSG"   report a function error ConformanceError with message MSG
# It always logs "conformance: request <id>" on stdout first. CONFORMANCE_INIT_ERROR=MSG in the
# environment makes the runtime fail to start (ConformanceInitError); CONFORMANCE_EVENTS_TO=URL makes
# every invocation first POST {"phase":"event","requestId":…,"pod":…,"event":EVENT} to URL (a test
# sees what a function was given: an async destination's record).
#
# Without jq, the keys are found with bash regexes on the (compact) JSON: a key is found wherever
# it is, so give each once; numbers must be non-negative integers.

if [ -n "${CONFORMANCE_INIT_ERROR:-}" ]; then
  ERROR_TYPE=ConformanceInitError
  ERROR_MESSAGE="$CONFORMANCE_INIT_ERROR"
  return 1
fi

handler() {
  local event="$1" witness="" pod
  echo "conformance: request $LAMBDA_REQUEST_ID"
  pod="${LAMINA_POD_NAME:-${HOSTNAME:-$(</proc/sys/kernel/hostname)}}"
  if [ -n "${CONFORMANCE_EVENTS_TO:-}" ]; then
    conformance_witness "$CONFORMANCE_EVENTS_TO" event "$pod" ",\"event\":$event" || return 1
  fi

  if conformance_string "$event" witness; then
    witness="$REPLY"
    conformance_witness "$witness" start "$pod" || return 1
  fi
  if conformance_number "$event" sleepMs; then
    printf -v REPLY '%d.%03d' $((REPLY / 1000)) $((REPLY % 1000))
    sleep "$REPLY"
  fi
  if conformance_number "$event" print; then
    conformance_print "$REPLY"
  fi
  if conformance_number "$event" exit; then
    exit "$REPLY"
  fi
  if [ -n "$witness" ]; then
    conformance_witness "$witness" end "$pod" || return 1
  fi
  if conformance_string "$event" fail; then
    ERROR_TYPE=ConformanceError
    ERROR_MESSAGE="$REPLY"
    return 1
  fi
  RESPONSE="$event"
}

# conformance_number JSON KEY: sets REPLY to KEY's integer value; fails when there is none.
conformance_number() {
  local re="\"$2\"[[:space:]]*:[[:space:]]*([0-9]+)"
  [[ "$1" =~ $re ]] || return 1
  REPLY=$((10#${BASH_REMATCH[1]}))
}

# conformance_string JSON KEY: sets REPLY to KEY's string value, unescaped; fails when there is none.
conformance_string() {
  local re="\"$2\"[[:space:]]*:[[:space:]]*\"(([^\"\\\\]|\\\\.)*)\"" s
  [[ "$1" =~ $re ]] || return 1
  s="${BASH_REMATCH[1]}"
  # JSON's escapes are echo -e's, but for \" and \/. A quote or slash in a JSON string is
  # preceded by an odd run of backslashes whose last one escapes it, so dropping that one
  # first leaves the rest (pairs, \\) for printf %b.
  s="${s//\\\"/\"}"
  s="${s//\\\//\/}"
  printf -v REPLY '%b' "$s"
}

# conformance_print K: prints exactly K bytes: lines of 1023 x's and a newline, then the rest.
conformance_print() {
  local n="$1" line
  printf -v line '%1023s' ''
  line="${line// /x}"
  while [ "$n" -ge 1024 ]; do
    printf '%s\n' "$line"
    n=$((n - 1024))
  done
  if [ "$n" -gt 0 ]; then
    printf '%s\n' "${line:0:n-1}"
  fi
}

# conformance_witness URL PHASE POD: tells the test's witness server this invocation started or ended.
# conformance_witness URL PHASE POD [MORE]: POSTs the phase (MORE: further JSON members, from their comma).
conformance_witness() {
  if ! printf '{"phase":"%s","requestId":"%s","pod":"%s"%s}' "$2" "$LAMBDA_REQUEST_ID" "$3" "${4:-}" |
    curl -sS -f -o /dev/null -X POST "$1" -H 'Expect:' -H 'Content-Type: application/json' --data-binary @-; then
    ERROR_TYPE=ConformanceWitnessError
    ERROR_MESSAGE="POST $1 ($2) failed"
    return 1
  fi
}

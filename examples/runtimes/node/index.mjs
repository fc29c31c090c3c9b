// The conformance function for the Node 22 runtime (AWS's aws-lambda-ric, _HANDLER=index.handler);
// the bash example (../provided/function.sh) behaves the same. It returns the event after what
// its top-level keys ask for, in this order:
//   witness: URL  POST {"phase":"start","requestId":…,"pod":…} to URL (and "end" later)
//   sleepMs: N    sleep N milliseconds
//   print: K      print K bytes of log on stdout
//   exit: N       end the runtime process with code N, posting nothing
//   (witness)     POST the "end" phase
//   fail: "MSG"   throw a ConformanceError with message MSG (a function error)
// It always logs "conformance: request <id>" on stdout first. CONFORMANCE_INIT_ERROR=MSG in the
// environment makes loading this module throw ConformanceInitError: the RIC reports it to
// /runtime/init/error and exits. CONFORMANCE_EVENTS_TO=URL makes every invocation first POST
// {"phase":"event","requestId":…,"pod":…,"event":EVENT} to URL (a test sees what a function was
// given: an async destination's record).
//
// The RIC hands the handler the parsed event and JSON.stringify()s what it returns, so the
// response is the event re-serialised: byte-identical for compact JSON (no whitespace between
// tokens, numbers and strings in their shortest form).
// Logs go through process.stdout.write, not console.log, which the RIC prefixes with a
// timestamp, the request id and a level: the lines then match the bash runtime's byte for byte.
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";

class ConformanceError extends Error {
  name = "ConformanceError";
}

class ConformanceInitError extends Error {
  name = "ConformanceInitError";
}

class ConformanceWitnessError extends Error {
  name = "ConformanceWitnessError";
}

if (process.env.CONFORMANCE_INIT_ERROR) {
  throw new ConformanceInitError(process.env.CONFORMANCE_INIT_ERROR);
}

const pod = process.env.LAMINA_POD_NAME || process.env.HOSTNAME || hostname();

// Two parameters, never three: the RIC refuses callback-style (event, context, callback) handlers.
export async function handler(event, context) {
  const requestId = context.awsRequestId;
  process.stdout.write(`conformance: request ${requestId}\n`);
  if (process.env.CONFORMANCE_EVENTS_TO) {
    await tellWitness(process.env.CONFORMANCE_EVENTS_TO, "event", requestId, { event });
  }
  const keys = event !== null && typeof event === "object" && !Array.isArray(event) ? event : {};

  const witness = typeof keys.witness === "string" ? keys.witness : undefined;
  if (witness) {
    await tellWitness(witness, "start", requestId);
  }
  if (isCount(keys.sleepMs)) {
    await sleep(keys.sleepMs);
  }
  if (isCount(keys.print)) {
    process.stdout.write(logBytes(keys.print));
  }
  if (isCount(keys.exit)) {
    // stdout is a pipe or a file here, where Node writes synchronously: nothing printed is lost.
    process.exit(keys.exit);
  }
  if (witness) {
    await tellWitness(witness, "end", requestId);
  }
  if (typeof keys.fail === "string") {
    throw new ConformanceError(keys.fail);
  }
  return event;
}

function isCount(value) {
  return Number.isInteger(value) && value >= 0;
}

// Exactly n bytes: lines of 1023 x's and a newline, then the rest (as function.sh prints them).
function logBytes(n) {
  const line = "x".repeat(1023) + "\n";
  const rest = n % 1024;
  return line.repeat(Math.floor(n / 1024)) + (rest > 0 ? "x".repeat(rest - 1) + "\n" : "");
}

async function tellWitness(url, phase, requestId, more = {}) {
  let status;
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ phase, requestId, pod, ...more }),
    });
    await response.arrayBuffer();
    status = response.ok ? undefined : `answered ${response.status}`;
  } catch (error) {
    status = error.cause?.message ?? error.message;
  }
  if (status !== undefined) {
    process.stderr.write(`conformance: POST ${url}: ${status}\n`);
    throw new ConformanceWitnessError(`POST ${url} (${phase}) failed`);
  }
}

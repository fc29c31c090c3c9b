using System.Diagnostics;
using System.Text.Json;

namespace Lamina.Testing;

/// <summary>
/// The real clients Lambda users have: the AWS CLI and boto3, run as processes against an endpoint
/// with the given credentials (region us-east-1). Nothing here talks to AWS.
/// </summary>
public sealed class AwsClients(Uri endpoint, string accessKeyId, string secretAccessKey)
{
    /// <summary>The AWS CLI's result of <c>aws lambda invoke</c>, and the payload file it wrote.</summary>
    public sealed record CliResult(int ExitCode, string StandardOutput, string StandardError, byte[]? Payload)
    {
        public JsonElement Output => JsonDocument.Parse(StandardOutput).RootElement;
    }

    /// <summary>boto3's Invoke response: status, function error, log result, payload, or the error it raised.</summary>
    public sealed record Boto3Result(int? StatusCode, string? FunctionError, string? LogResult, string? ExecutedVersion, byte[]? Payload, string? ErrorCode, string? ErrorMessage, int? HttpStatus, string? RequestId = null);

    /// <summary><c>aws lambda invoke --function-name NAME [extra…] OUT</c> with <paramref name="payload"/> from a file.</summary>
    public async Task<CliResult> CliInvokeAsync(string functionName, byte[] payload, params string[] extra)
    {
        var folder = Directory.CreateTempSubdirectory("lamina-aws-").FullName;
        try
        {
            var payloadFile = Path.Combine(folder, "payload.json");
            var outFile = Path.Combine(folder, "out.json");
            await File.WriteAllBytesAsync(payloadFile, payload).ConfigureAwait(false);
            var arguments = new List<string>
            {
                "lambda", "invoke", "--endpoint-url", endpoint.ToString().TrimEnd('/'), "--region", "us-east-1",
                "--function-name", functionName, "--payload", "fileb://" + payloadFile,
            };
            arguments.AddRange(extra);
            arguments.Add(outFile);
            var (code, stdout, stderr) = await RunAsync("aws", arguments).ConfigureAwait(false);
            return new CliResult(code, stdout, stderr, File.Exists(outFile) ? await File.ReadAllBytesAsync(outFile).ConfigureAwait(false) : null);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// <c>boto3.client("lambda").invoke(...)</c>; errors are caught and returned, not thrown.
    /// <paramref name="clockSkewSeconds"/> signs as if the client's clock were that far off (the expired-signature case).
    /// </summary>
    public async Task<Boto3Result> Boto3InvokeAsync(string functionName, byte[] payload, string invocationType = "RequestResponse", string logType = "None", string? clientContext = null, int clockSkewSeconds = 0)
    {
        const string script = """
            import base64, datetime, json, sys, boto3, botocore.auth, botocore.config, botocore.exceptions
            args = json.load(sys.stdin)
            if int(args["skew"]):
                real = botocore.auth.get_current_datetime
                botocore.auth.get_current_datetime = lambda *a, **k: real(*a, **k) + datetime.timedelta(seconds=int(args["skew"]))
            client = boto3.client("lambda", endpoint_url=args["endpoint"], region_name="us-east-1",
                aws_access_key_id=args["key"], aws_secret_access_key=args["secret"],
                config=botocore.config.Config(retries={"max_attempts": 0}, read_timeout=120))
            kwargs = dict(FunctionName=args["name"], Payload=base64.b64decode(args["payload"]), InvocationType=args["type"], LogType=args["log"])
            if args.get("context"): kwargs["ClientContext"] = args["context"]
            try:
                r = client.invoke(**kwargs)
                body = r["Payload"].read()
                print(json.dumps({"StatusCode": r["StatusCode"], "FunctionError": r.get("FunctionError"), "LogResult": r.get("LogResult"),
                                  "ExecutedVersion": r.get("ExecutedVersion"), "Payload": base64.b64encode(body).decode(),
                                  "RequestId": r["ResponseMetadata"].get("RequestId")}))
            except botocore.exceptions.ClientError as e:
                print(json.dumps({"ErrorCode": e.response["Error"]["Code"], "ErrorMessage": e.response["Error"].get("Message"),
                                  "HttpStatus": e.response["ResponseMetadata"]["HTTPStatusCode"]}))
            """;
        var input = JsonSerializer.Serialize(new Dictionary<string, string?>
        {
            ["endpoint"] = endpoint.ToString().TrimEnd('/'),
            ["key"] = accessKeyId,
            ["secret"] = secretAccessKey,
            ["name"] = functionName,
            ["payload"] = Convert.ToBase64String(payload),
            ["type"] = invocationType,
            ["log"] = logType,
            ["context"] = clientContext,
            ["skew"] = clockSkewSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var json = await Boto3Async(script, input).ConfigureAwait(false);
        int? Number(string name) => json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;
        return new Boto3Result(Number("StatusCode"), Text(json, "FunctionError"), Text(json, "LogResult"), Text(json, "ExecutedVersion"),
            Text(json, "Payload") is { } p ? Convert.FromBase64String(p) : null, Text(json, "ErrorCode"), Text(json, "ErrorMessage"), Number("HttpStatus"), Text(json, "RequestId"));
    }

    /// <summary>
    /// One invocation of a load run: when it was sent and answered (seconds from the start), to which
    /// endpoint (its index in the run's list), and how.
    /// </summary>
    public sealed record LoadCall(double Sent, double Answered, int HttpStatus, string? ErrorCode, string? Reason, string? FunctionError, string? LogResult, int Endpoint = 0, string? Message = null);

    /// <summary>
    /// Closed-loop load from one boto3 process: <paramref name="threads"/> clients, client i starting on
    /// <paramref name="endpoints"/>[i % count], each invoking again as soon as it is answered, until
    /// <paramref name="duration"/> has passed (or <paramref name="callsPerThread"/> calls each, when given).
    /// An endpoint that refuses the connection or answers 503 (a gateway stopping) is given up, as a
    /// Service would drop it, and the client goes on with the next one still up; when none is left it is done.
    /// </summary>
    public async Task<IReadOnlyList<LoadCall>> Boto3LoadAsync(IReadOnlyList<Uri> endpoints, string functionName, byte[] payload, int threads, TimeSpan duration, int? callsPerThread = null, string logType = "None")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        const string script = """
            import base64, json, sys, threading, time
            import boto3, botocore.config, botocore.exceptions
            args = json.load(sys.stdin)
            payload = base64.b64decode(args["payload"])
            results = []
            lock = threading.Lock()
            start = time.monotonic()
            def client(endpoint):
                return boto3.session.Session().client("lambda", endpoint_url=endpoint, region_name="us-east-1",
                    aws_access_key_id=args["key"], aws_secret_access_key=args["secret"],
                    config=botocore.config.Config(retries={"max_attempts": 0}, read_timeout=120, max_pool_connections=4))
            clients = [client(e) for e in args["endpoints"]]
            down = set()
            def run(i):
                e = i % len(clients)
                n = 0
                while time.monotonic() - start < args["seconds"] and (args["calls"] is None or n < args["calls"]):
                    n += 1
                    c = clients[e]
                    sent = time.monotonic() - start
                    row = {"Sent": sent, "Endpoint": e}
                    try:
                        r = c.invoke(FunctionName=args["name"], Payload=payload, LogType=args["log"])
                        r["Payload"].read()
                        row.update({"HttpStatus": r["StatusCode"], "FunctionError": r.get("FunctionError"), "LogResult": r.get("LogResult")})
                    except botocore.exceptions.ClientError as e:
                        row.update({"HttpStatus": e.response["ResponseMetadata"]["HTTPStatusCode"], "ErrorCode": e.response["Error"]["Code"],
                                    "Reason": e.response.get("Reason") or e.response["Error"].get("Reason"),
                                    "Message": e.response["Error"].get("Message")})
                    except Exception as e:
                        row.update({"HttpStatus": 0, "ErrorCode": type(e).__name__ + ": " + str(e)})
                    row["Answered"] = time.monotonic() - start
                    with lock:
                        results.append(row)
                        if row["HttpStatus"] in (0, 503):
                            down.add(e)  # a gateway the test stopped: no Service would send this client there again
                        up = [k for k in range(len(clients)) if k not in down]
                    if e in down:
                        if not up:
                            break
                        e = up[i % len(up)]
            workers = [threading.Thread(target=run, args=(i,)) for i in range(args["threads"])]
            for w in workers: w.start()
            for w in workers: w.join()
            print(json.dumps(results))
            """;
        var input = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["endpoints"] = endpoints.Select(e => e.ToString().TrimEnd('/')).ToArray(),
            ["key"] = accessKeyId,
            ["secret"] = secretAccessKey,
            ["name"] = functionName,
            ["payload"] = Convert.ToBase64String(payload),
            ["threads"] = threads,
            ["seconds"] = duration.TotalSeconds,
            ["calls"] = callsPerThread,
            ["log"] = logType,
        });
        var calls = new List<LoadCall>();
        foreach (var row in (await Boto3Async(script, input).ConfigureAwait(false)).EnumerateArray())
        {
            calls.Add(new LoadCall(row.GetProperty("Sent").GetDouble(), row.GetProperty("Answered").GetDouble(), row.GetProperty("HttpStatus").GetInt32(),
                Text(row, "ErrorCode"), Text(row, "Reason"), Text(row, "FunctionError"), Text(row, "LogResult"), row.GetProperty("Endpoint").GetInt32(), Text(row, "Message")));
        }

        return calls;
    }

    /// <summary>How one async (Event) invocation of <see cref="Boto3EventsAsync"/> was answered: 202 with its request id, or the last error.</summary>
    public sealed record EventCall(int Index, int HttpStatus, string? RequestId, string? ErrorCode, int Attempts);

    /// <summary>
    /// Sends each of <paramref name="payloads"/> as an async invocation (<c>InvocationType=Event</c>) from
    /// one boto3 process with <paramref name="threads"/> clients. A send that gets no answer or a 5xx is
    /// tried again on the next endpoint (what a client with several gateways behind a Service sees), up to
    /// <paramref name="attempts"/> times; the first 202 or 4xx is final.
    /// </summary>
    public async Task<IReadOnlyList<EventCall>> Boto3EventsAsync(IReadOnlyList<Uri> endpoints, string functionName, IReadOnlyList<byte[]> payloads, int threads = 4, int attempts = 20)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(payloads);
        const string script = """
            import base64, json, sys, threading, time
            import boto3, botocore.config, botocore.exceptions
            args = json.load(sys.stdin)
            payloads = [base64.b64decode(p) for p in args["payloads"]]
            results = []
            lock = threading.Lock()
            def client(endpoint):
                return boto3.session.Session().client("lambda", endpoint_url=endpoint, region_name="us-east-1",
                    aws_access_key_id=args["key"], aws_secret_access_key=args["secret"],
                    config=botocore.config.Config(retries={"max_attempts": 0}, connect_timeout=5, read_timeout=30, max_pool_connections=4))
            def run(t):
                clients = [client(e) for e in args["endpoints"]]
                for i in range(t, len(payloads), args["threads"]):
                    row = {"Index": i, "HttpStatus": 0}
                    for attempt in range(args["attempts"]):
                        row["Attempts"] = attempt + 1
                        c = clients[(i + attempt) % len(clients)]
                        try:
                            r = c.invoke(FunctionName=args["name"], Payload=payloads[i], InvocationType="Event")
                            row.update({"HttpStatus": r["StatusCode"], "RequestId": r["ResponseMetadata"]["RequestId"], "ErrorCode": None})
                            break
                        except botocore.exceptions.ClientError as e:
                            status = e.response["ResponseMetadata"]["HTTPStatusCode"]
                            row.update({"HttpStatus": status, "ErrorCode": e.response["Error"]["Code"]})
                            if status < 500: break
                        except Exception as e:
                            row.update({"HttpStatus": 0, "ErrorCode": type(e).__name__})
                        time.sleep(0.2)
                    with lock:
                        results.append(row)
            workers = [threading.Thread(target=run, args=(t,)) for t in range(args["threads"])]
            for w in workers: w.start()
            for w in workers: w.join()
            print(json.dumps(results))
            """;
        var input = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["endpoints"] = endpoints.Select(e => e.ToString().TrimEnd('/')).ToArray(),
            ["key"] = accessKeyId,
            ["secret"] = secretAccessKey,
            ["name"] = functionName,
            ["payloads"] = payloads.Select(Convert.ToBase64String).ToArray(),
            ["threads"] = threads,
            ["attempts"] = attempts,
        });
        var calls = new List<EventCall>();
        foreach (var row in (await Boto3Async(script, input).ConfigureAwait(false)).EnumerateArray())
        {
            calls.Add(new EventCall(row.GetProperty("Index").GetInt32(), row.GetProperty("HttpStatus").GetInt32(), Text(row, "RequestId"), Text(row, "ErrorCode"),
                row.TryGetProperty("Attempts", out var n) ? n.GetInt32() : 0));
        }

        return calls.OrderBy(call => call.Index).ToList();
    }

    /// <summary>Runs a boto3 <paramref name="script"/> with <paramref name="input"/> (JSON) on its stdin: what it printed, as JSON.</summary>
    private async Task<JsonElement> Boto3Async(string script, string input)
    {
        var (code, stdout, stderr) = await RunAsync("python3", ["-c", script], input).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException($"boto3 failed ({code}): {stderr}");
        }

        return JsonDocument.Parse(stdout).RootElement;
    }

    private static string? Text(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(string program, IEnumerable<string> arguments, string? input = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = accessKeyId;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = secretAccessKey;
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        // No retries: a test must see the gateway's first answer, and never wait on backoff.
        start.Environment["AWS_MAX_ATTEMPTS"] = "1";
        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input).ConfigureAwait(false);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}

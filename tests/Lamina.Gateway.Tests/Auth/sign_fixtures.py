#!/usr/bin/env python3
"""Writes botocore-invoke-fixtures.json: Lambda Invoke requests exactly as botocore (the AWS CLI v1's
and boto3's signer) sends them, for SigV4AuthenticatorBotocoreTests to verify byte for byte.

Two kinds of case:
  * "botocore": a botocore Lambda client invokes with a frozen clock; the request is caught just
    before it would go on the wire (the 'before-send' event), so the path, query and headers are
    the serialiser's and SigV4Auth's own. botocore's debug log gives its canonical request too.
  * "aws-cli": the real `aws lambda invoke` command against a loopback server that records the
    raw request line, headers and body (the clock is not frozen: the case carries its own time).

Run it from anywhere: python3 tests/Lamina.Gateway.Tests/Auth/sign_fixtures.py
Regenerating changes the aws-cli cases (new times and signatures); review, then commit the JSON.
"""
import base64
import datetime
import http.server
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
from urllib.parse import urlsplit

import botocore
import botocore.auth
import botocore.session
from botocore.awsrequest import AWSResponse

HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(HERE, "botocore-invoke-fixtures.json")

ACCESS_KEY_ID = "AKIDLAMINAEXAMPLE"
SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "FQoGZXIvYXdzEXAMPLESESSIONTOKEN//////////wEaDEXAMPLE+token/with=chars"
FROZEN = datetime.datetime(2026, 1, 1, 12, 0, 0)


class CanonicalRequests(logging.Handler):
    """botocore logs each canonical request it signs at DEBUG; keep the last one."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.last = None

    def emit(self, record):
        if record.msg.startswith("CanonicalRequest:"):
            self.last = record.args[0] if isinstance(record.args, tuple) else record.args


def botocore_cases():
    botocore.auth.get_current_datetime = lambda *args, **kwargs: FROZEN
    canonical = CanonicalRequests()
    auth_log = logging.getLogger("botocore.auth")
    auth_log.setLevel(logging.DEBUG)
    auth_log.addHandler(canonical)
    session = botocore.session.get_session()

    def client(endpoint="http://gateway.test:8080", region="us-east-1", token=None):
        return session.create_client(
            "lambda", region_name=region, endpoint_url=endpoint,
            aws_access_key_id=ACCESS_KEY_ID, aws_secret_access_key=SECRET_ACCESS_KEY,
            aws_session_token=token)

    arn = "arn:aws:lambda:us-east-1:000000000000:function:team-a.hello"
    context = base64.b64encode(json.dumps({"custom": {"tenant": "a"}, "env": {}}).encode()).decode()
    specs = [
        ("bare-name", client(), dict(FunctionName="hello", Payload=b'{"key":"value"}')),
        ("namespaced-name", client(), dict(FunctionName="team-a.hello", Payload=b'{"key":"value"}')),
        ("arn-with-qualifier-in-path", client(), dict(FunctionName=arn + ":$LATEST", Payload=b'{}')),
        ("arn-without-qualifier", client(), dict(FunctionName=arn, Payload=b'{}')),
        ("name-colon-qualifier", client(), dict(FunctionName="hello:$LATEST", Payload=b'{}')),
        ("qualifier-query", client(), dict(FunctionName="hello", Qualifier="$LATEST", Payload=b'{}')),
        ("client-context", client(), dict(FunctionName="hello", ClientContext=context, Payload=b'{}')),
        ("log-type-tail", client(), dict(FunctionName="hello", LogType="Tail", Payload=b'{}')),
        ("dry-run", client(), dict(FunctionName="team-a.hello", InvocationType="DryRun")),
        ("empty-body", client(), dict(FunctionName="hello")),
        ("unicode-body", client(), dict(FunctionName="hello", Payload='{"msg":"héllo wörld ✓ 日本語 🚀"}'.encode())),
        ("session-token", client(token=SESSION_TOKEN), dict(FunctionName="hello", Payload=b'{"a":1}')),
        ("other-region", client(region="eu-west-3"), dict(FunctionName="hello", Payload=b'{}')),
        ("default-port", client(endpoint="http://gateway.test"), dict(FunctionName="hello", Payload=b'{}')),
        ("everything", client(token=SESSION_TOKEN), dict(
            FunctionName=arn + ":$LATEST", Qualifier="$LATEST", LogType="Tail", ClientContext=context,
            InvocationType="RequestResponse", Payload='{"ü":[1,2,3]}'.encode())),
    ]
    cases = []
    for name, c, params in specs:
        caught = {}

        def before_send(request, **kwargs):
            caught["request"] = request
            return AWSResponse(request.url, 200, {}, None)

        c.meta.events.register("before-send", before_send)
        canonical.last = None
        try:
            c.invoke(**params)
        except Exception:  # the empty fake response does not parse; the request is what we want
            pass
        request = caught["request"]
        url = urlsplit(request.url)
        # http.client sends Host from the URL, without the default port.
        headers = [f"Host: {url.netloc}"]
        for key, value in request.headers.items():
            value = value.decode() if isinstance(value, bytes) else str(value)
            # Unsigned, and random (the id) or in set order (the agent's feature list): fixed to keep the file stable.
            if key.lower() == "amz-sdk-invocation-id":
                value = "00000000-0000-4000-8000-000000000000"
            elif key.lower() == "user-agent":
                value = f"Botocore/{botocore.__version__} ua/2.1"
            headers.append(f"{key}: {value}")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        cases.append({
            "name": name,
            "source": "botocore",
            "now": FROZEN.strftime("%Y%m%dT%H%M%SZ"),
            "method": request.method,
            "target": url.path + ("?" + url.query if url.query else ""),
            "headers": headers,
            "body": base64.b64encode(body).decode(),
            "canonicalRequest": canonical.last,
        })
    return cases


class Recorder(http.server.BaseHTTPRequestHandler):
    seen = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        Recorder.seen.append((self.command, self.path, list(self.headers.items()), body))
        reply = b'{"ok":true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Amz-Executed-Version", "$LATEST")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


def aws_cli_cases():
    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    env = dict(os.environ, AWS_ACCESS_KEY_ID=ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY=SECRET_ACCESS_KEY,
               AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    env.pop("AWS_SESSION_TOKEN", None)
    env.pop("AWS_PROFILE", None)
    specs = [
        ("aws-cli-namespaced-tail", ["--function-name", "team-a.hello", "--log-type", "Tail", "--payload", '{"key":"value"}']),
        ("aws-cli-arn-qualifier", ["--function-name", "arn:aws:lambda:us-east-1:000000000000:function:team-a.hello",
                                   "--qualifier", "$LATEST", "--payload", '{"wörld":"✓"}']),
    ]
    cases = []
    with tempfile.TemporaryDirectory() as scratch:
        for name, args in specs:
            Recorder.seen.clear()
            out = os.path.join(scratch, "out.json")
            subprocess.run(["aws", "lambda", "invoke", "--endpoint-url", endpoint, *args, out],
                           env=env, check=True, stdout=subprocess.DEVNULL)
            method, target, headers, body = Recorder.seen[-1]
            amz_date = next(v for k, v in headers if k.lower() == "x-amz-date")
            cases.append({
                "name": name,
                "source": "aws-cli",
                "now": amz_date,
                "method": method,
                "target": target,
                "headers": [f"{k}: {v}" for k, v in headers],
                "body": base64.b64encode(body).decode(),
                "canonicalRequest": None,
            })
    server.shutdown()
    return cases


def main():
    cli = subprocess.run(["aws", "--version"], capture_output=True, text=True, check=True)
    fixture = {
        "generator": f"sign_fixtures.py with botocore {botocore.__version__}; "
                     f"{(cli.stdout or cli.stderr).strip()}",
        "accessKeyId": ACCESS_KEY_ID,
        "secretAccessKey": SECRET_ACCESS_KEY,
        "cases": botocore_cases() + aws_cli_cases(),
    }
    with open(OUTPUT, "w", encoding="utf-8") as f:
        json.dump(fixture, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(fixture['cases'])} cases to {OUTPUT}", file=sys.stderr)


if __name__ == "__main__":
    main()

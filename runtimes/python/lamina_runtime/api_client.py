"""The Runtime API over one persistent HTTP/1.1 connection.

Warm latency is the point: a new TCP connection per call would cost two handshakes per
invocation, so next, response and error all go over the same keep-alive connection, and a
connection the server closed is replaced once before a call gives up.

HTTP is spoken here directly on a socket rather than through http.client: http.client parses
headers with the email package, whose import is most of a cold start's cost (docs/runtimes.md
has the figures) and whose parser is most of a warm invocation's. The Runtime API is one known
server on loopback answering four calls, which a small exact client serves.
"""

import json
import socket
import sys

API_VERSION = "/2018-06-01"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"

# The status line and headers of an answer; the Runtime API's are a few hundred bytes.
_MAX_HEAD = 64 * 1024


class InvocationRequest:
    """What next answered: the event's bytes and the headers the context is made from."""

    __slots__ = ("request_id", "deadline_ms", "invoked_function_arn", "trace_id",
                 "client_context", "cognito_identity", "content_type", "body")

    def __init__(self, headers, body):
        self.request_id = headers.get("lambda-runtime-aws-request-id")
        deadline = headers.get("lambda-runtime-deadline-ms")
        self.deadline_ms = int(deadline) if deadline and deadline.isdigit() else 0
        self.invoked_function_arn = headers.get("lambda-runtime-invoked-function-arn")
        self.trace_id = headers.get("lambda-runtime-trace-id")
        self.client_context = headers.get("lambda-runtime-client-context")
        self.cognito_identity = headers.get("lambda-runtime-cognito-identity")
        content_type = headers.get("content-type")
        # "application/json; charset=utf-8" is JSON too.
        self.content_type = content_type.split(";", 1)[0].strip().lower() if content_type else None
        self.body = body


class RuntimeApiError(Exception):
    """The Runtime API answered a call with a status the runtime cannot go on from."""

    def __init__(self, call, status, body):
        super().__init__("%s answered %d: %s" % (call, status, body.decode("utf-8", "replace")[:500]))
        self.status = status


class ProtocolError(ConnectionError):
    """The server's answer was not HTTP/1.1 as expected; the connection is dropped."""


class RuntimeApiClient:
    def __init__(self, address):
        if not address:
            raise ValueError("AWS_LAMBDA_RUNTIME_API is not set")
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError("AWS_LAMBDA_RUNTIME_API is not host:port: %r" % address)
        # IPv6 hosts come in brackets, as in a URL.
        self._host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        self._port = int(port)
        self._host_header = address
        self._socket = None
        self._buffer = b""

    def next(self):
        """Waits for the next event (as long as it takes: no timeout)."""
        status, headers, body = self._call("GET", API_VERSION + "/runtime/invocation/next", b"", None)
        if status != 200:
            raise RuntimeApiError("next", status, body)
        return InvocationRequest(headers, body)

    def post_response(self, request_id, payload):
        return self._post("%s/runtime/invocation/%s/response" % (API_VERSION, request_id), payload, None)

    def post_error(self, request_id, error):
        return self._post("%s/runtime/invocation/%s/error" % (API_VERSION, request_id),
                          _error_body(error), _error_header(error))

    def post_init_error(self, error):
        return self._post(API_VERSION + "/runtime/init/error", _error_body(error), _error_header(error))

    def _post(self, path, body, extra_header):
        status, _, answer = self._call("POST", path, body, extra_header)
        if status != 202:
            # 400 (not the invocation in flight) and 413 (result too large) end the invocation on
            # the server's side; the loop goes on to the next one, as AWS's client does.
            sys.stderr.write("lamina_runtime: POST %s answered %d: %s\n"
                             % (path, status, answer.decode("utf-8", "replace")[:500]))
        return status

    def _call(self, method, path, body, extra_header):
        head = "%s %s HTTP/1.1\r\nHost: %s\r\n" % (method, path, self._host_header)
        if method == "POST":
            head += "Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
        if extra_header:
            head += extra_header
        message = head.encode("latin-1") + b"\r\n" + body
        # A kept-alive connection the server has closed fails on first use; one fresh try covers it.
        for attempt in (1, 2):
            reused = self._socket is not None
            if not reused:
                self._connect()
            try:
                self._socket.sendall(message)
                return self._read_answer()
            except (ConnectionError, OSError):
                self._close()
                if attempt == 2 or not reused:
                    raise

    def _connect(self):
        # An IP address as bytes: getaddrinfo would otherwise encode a str host with the idna
        # codec, whose import (unicodedata, stringprep) costs a cold start more than the rest.
        host = self._host.encode("ascii") if self._host.isascii() else self._host
        self._socket = socket.create_connection((host, self._port))
        # Each call is one small write answered before the next: Nagle would only delay it.
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = b""

    def _read_answer(self):
        end = self._buffer.find(b"\r\n\r\n")
        while end < 0:
            if len(self._buffer) > _MAX_HEAD:
                raise ProtocolError("the Runtime API's answer has over %d bytes of headers" % _MAX_HEAD)
            self._fill()
            end = self._buffer.find(b"\r\n\r\n")
        lines = self._buffer[:end].decode("latin-1").split("\r\n")
        self._buffer = self._buffer[end + 4:]
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
            raise ProtocolError("not an HTTP status line: %r" % lines[0][:200])
        status = int(parts[1])
        headers = {}
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()

        if "transfer-encoding" in headers:
            # The Runtime API sends Content-Length on every answer (RuntimeApiHandler.cs).
            raise ProtocolError("the Runtime API answered with Transfer-Encoding %s" % headers["transfer-encoding"])
        body = self._read_exactly(int(headers.get("content-length", "0") or "0"))
        if headers.get("connection", "").lower() == "close" or parts[0] == "HTTP/1.0":
            self._close()
        return status, headers, body

    def _read_exactly(self, length):
        if len(self._buffer) >= length:
            data, self._buffer = self._buffer[:length], self._buffer[length:]
            return data
        parts = [self._buffer]
        have = len(self._buffer)
        self._buffer = b""
        while have < length:
            chunk = self._socket.recv(min(length - have, 1 << 20))
            if not chunk:
                raise ProtocolError("the Runtime API closed the connection mid-answer")
            parts.append(chunk)
            have += len(chunk)
        return b"".join(parts)

    def _fill(self):
        chunk = self._socket.recv(65536)
        if not chunk:
            raise ProtocolError("the Runtime API closed the connection")
        self._buffer += chunk

    def _close(self):
        if self._socket is not None:
            try:
                self._socket.close()
            except OSError:
                pass
            self._socket = None
            self._buffer = b""


def _error_header(error):
    return "%s: %s\r\n" % (ERROR_TYPE_HEADER, _header_safe(error.get("errorType") or "Unhandled"))


def _error_body(error):
    return json.dumps(error, ensure_ascii=False).encode("utf-8")


def _header_safe(value):
    # A header value is one line of visible ASCII; the body keeps the type as it was.
    cleaned = "".join(c for c in value if " " <= c <= "~")
    return cleaned[:256] or "Unhandled"

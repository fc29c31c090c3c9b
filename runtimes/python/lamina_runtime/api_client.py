"""The Runtime API over one persistent HTTP/1.1 connection.

Warm latency is the point: a new TCP connection per call would cost two handshakes per
invocation, so next, response and error all go over the same keep-alive connection, and a
connection the server closed is replaced once before a call gives up.
"""

import http.client
import json
import sys

API_VERSION = "/2018-06-01"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"


class InvocationRequest:
    """What next answered: the event's bytes and the headers the context is made from."""

    __slots__ = ("request_id", "deadline_ms", "invoked_function_arn", "trace_id",
                 "client_context", "cognito_identity", "content_type", "body")

    def __init__(self, headers, body):
        self.request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        deadline = headers.get("Lambda-Runtime-Deadline-Ms")
        self.deadline_ms = int(deadline) if deadline and deadline.isdigit() else 0
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.trace_id = headers.get("Lambda-Runtime-Trace-Id")
        self.client_context = headers.get("Lambda-Runtime-Client-Context")
        self.cognito_identity = headers.get("Lambda-Runtime-Cognito-Identity")
        self.content_type = headers.get("Content-Type")
        self.body = body


class RuntimeApiError(Exception):
    """The Runtime API answered a call with a status the runtime cannot go on from."""

    def __init__(self, call, status, body):
        super().__init__("%s answered %d: %s" % (call, status, body.decode("utf-8", "replace")[:500]))
        self.status = status


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
        self._connection = None

    def next(self):
        """Waits for the next event (as long as it takes: no timeout)."""
        status, headers, body = self._call("GET", API_VERSION + "/runtime/invocation/next", None, None)
        if status != 200:
            raise RuntimeApiError("next", status, body)
        return InvocationRequest(headers, body)

    def post_response(self, request_id, payload):
        return self._post("%s/runtime/invocation/%s/response" % (API_VERSION, request_id),
                          payload, {"Content-Type": "application/json"})

    def post_error(self, request_id, error):
        return self._post("%s/runtime/invocation/%s/error" % (API_VERSION, request_id),
                          _error_body(error), _error_headers(error))

    def post_init_error(self, error):
        return self._post(API_VERSION + "/runtime/init/error", _error_body(error), _error_headers(error))

    def _post(self, path, body, headers):
        status, _, answer = self._call("POST", path, body, headers)
        if status != 202:
            # 400 (not the invocation in flight) and 413 (result too large) end the invocation on
            # the server's side; the loop goes on to the next one, as AWS's client does.
            sys.stderr.write("lamina_runtime: POST %s answered %d: %s\n"
                             % (path, status, answer.decode("utf-8", "replace")[:500]))
        return status

    def _call(self, method, path, body, headers):
        # A kept-alive connection the server has closed fails on first use; one fresh try covers it.
        for attempt in (1, 2):
            reused = self._connection is not None
            if not reused:
                self._connection = http.client.HTTPConnection(self._host, self._port)
            try:
                self._connection.request(method, path, body=body, headers=headers or {})
                response = self._connection.getresponse()
                data = response.read()
                if response.will_close:
                    self._close()
                return response.status, response.headers, data
            except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
                self._close()
                if attempt == 2 or not reused:
                    raise

    def _close(self):
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _error_headers(error):
    return {"Content-Type": "application/json", ERROR_TYPE_HEADER: _header_safe(error.get("errorType") or "Unhandled")}


def _error_body(error):
    return json.dumps(error, ensure_ascii=False).encode("utf-8")


def _header_safe(value):
    # A header value is one line of visible ASCII; the body keeps the type as it was.
    cleaned = "".join(c for c in value if " " <= c <= "~")
    return cleaned[:256] or "Unhandled"

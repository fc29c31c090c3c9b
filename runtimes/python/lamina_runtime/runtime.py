"""The runtime: sys.path as Lambda orders it, the handler's import (init), then the loop.

Run by the bootstrap as `python3 -u <runtime dir>/bootstrap.py`. The environment is Lambda's
(docs/lambda-contracts.md#runtime-environment): AWS_LAMBDA_RUNTIME_API, _HANDLER,
LAMBDA_TASK_ROOT and the AWS_LAMBDA_* names the context reads.
"""

import os
import sys

from . import errors, handler, logs, marshal
from .api_client import RuntimeApiClient, RuntimeApiError
from .context import LambdaContext

# The folder holding this package: the runtime's place on sys.path (/var/runtime in the image).
RUNTIME_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Where layers are unpacked. Only tests point it elsewhere (a pod's layers are always at /opt).
LAYERS_ROOT_VARIABLE = "LAMINA_PYTHON_LAYERS_ROOT"


def python_path(task_root, layers_root, current):
    """Lambda's order: the function's code, the layers' site-packages, the layers' python/, the
    runtime, then the interpreter's own (the standard library)."""
    version = "python%d.%d" % sys.version_info[:2]
    front = [task_root,
             os.path.join(layers_root, "python", "lib", version, "site-packages"),
             os.path.join(layers_root, "python"),
             RUNTIME_DIR]
    return front + [p for p in current if p not in front and p != ""]


def main():
    environ = os.environ
    environ.setdefault("AWS_EXECUTION_ENV", "AWS_Lambda_python%d.%d" % sys.version_info[:2])
    task_root = environ.get("LAMBDA_TASK_ROOT") or "/var/task"
    sys.path[:] = python_path(task_root, environ.get(LAYERS_ROOT_VARIABLE) or "/opt", sys.path[1:])
    client = RuntimeApiClient(environ.get("AWS_LAMBDA_RUNTIME_API"))
    logs.install(environ.get("AWS_LAMBDA_LOG_LEVEL"))

    function = _init(client, environ.get("_HANDLER", ""))
    while True:
        try:
            request = client.next()
        except RuntimeApiError as e:
            # 500: the environment is being reset; the runtime's part is to stop.
            sys.stderr.write("lamina_runtime: %s; exiting\n" % e)
            sys.exit(1)
        _invoke(client, function, request)


def _init(client, handler_name):
    try:
        return handler.load(handler_name)
    except errors.FaultException as fault:
        error = errors.from_fault(fault)
    except Exception as e:  # the module raised while it was imported
        error = errors.from_exception(e)
    _print_error(error)
    client.post_init_error(error)
    sys.exit(1)


def _invoke(client, function, request):
    request_id = request.request_id
    logs.set_request_id(request_id)
    if request.trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = request.trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    try:
        event = marshal.event_of(request)
        result = marshal.result_bytes(function(event, LambdaContext(request)))
    except errors.FaultException as fault:
        _fail(client, request_id, errors.from_fault(fault, request_id))
    except Exception as e:
        _fail(client, request_id, errors.from_exception(e, request_id))
    else:
        _flush()
        client.post_response(request_id, result)
    finally:
        logs.set_request_id("")


def _fail(client, request_id, error):
    _print_error(error)
    _flush()
    client.post_error(request_id, error)


def _print_error(error):
    sys.stdout.write("\n".join(errors.log_lines(error)) + "\n")


def _flush():
    # What the function printed belongs to its invocation: out before the result is.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass

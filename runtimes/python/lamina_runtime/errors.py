"""Lambda's error documents: {"errorMessage", "errorType", "requestId", "stackTrace"}.

The names are Lambda's own (awslambdaric's FaultException), because users and tools match on
them: Runtime.ImportModuleError, Runtime.HandlerNotFound and the rest.
"""

import os
import traceback

IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
MARSHAL_ERROR = "Runtime.MarshalError"
UNMARSHAL_ERROR = "Runtime.UnmarshalError"

# This package's own frames are not the user's: a stack trace starts at the first frame outside it.
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


class FaultException(Exception):
    """An error the runtime names itself (an import that failed, a result it cannot serialise)."""

    def __init__(self, error_type, message, stack_trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.stack_trace = stack_trace


def make_error(message, error_type, stack_trace, request_id=None):
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id or "",
        "stackTrace": stack_trace if stack_trace is not None else [],
    }


def from_fault(fault, request_id=None):
    return make_error(fault.message, fault.error_type, fault.stack_trace, request_id)


def from_exception(exception, request_id=None):
    """The document for an exception the function raised: its class name, its message, its frames."""
    frames = traceback.extract_tb(exception.__traceback__)
    for index, frame in enumerate(frames):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR):
            frames = frames[index:]
            break
    else:
        frames = []
    return make_error(str(exception), type(exception).__name__, traceback.format_list(frames), request_id)


def log_lines(error):
    """What Lambda's Python runtime prints for an error: '[ERROR] Type: message' and the traceback."""
    description = "[ERROR]"
    if error.get("errorType"):
        description += " " + error["errorType"]
    if error.get("errorMessage"):
        description += (":" if error.get("errorType") else "") + " " + error["errorMessage"]
    lines = [description]
    stack = error.get("stackTrace")
    if stack:
        lines.append("Traceback (most recent call last):")
        for element in stack:
            lines.extend(element.splitlines() or [""])
    return lines

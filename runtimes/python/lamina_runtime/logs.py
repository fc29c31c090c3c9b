"""The logging module's records on the log stream, in Lambda's text format:

    [LEVEL]\t2026-12-08T01:02:03.456Z\t<request id>\t<message>

The root logger gets one handler writing to stdout (the shim makes stdout the log stream). As on
Lambda, the root level stays WARNING unless AWS_LAMBDA_LOG_LEVEL says otherwise, so a handler's
logger.info(...) appears only after it sets a level, exactly as users know from Lambda.
"""

import logging
import sys
import time

# Lambda's advanced logging levels, mapped to the logging module's names.
_LEVELS = {"TRACE": "DEBUG", "DEBUG": "DEBUG", "INFO": "INFO", "WARN": "WARNING",
           "WARNING": "WARNING", "ERROR": "ERROR", "FATAL": "CRITICAL"}

_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"


class RequestIdFilter(logging.Filter):
    """Stamps every record with the invocation in flight ("" between invocations)."""

    request_id = ""

    def filter(self, record):
        record.aws_request_id = RequestIdFilter.request_id
        return True


class StdoutHandler(logging.Handler):
    def emit(self, record):
        try:
            # Looked up on each record: a handler may replace sys.stdout.
            sys.stdout.write(self.format(record))
        except Exception:
            self.handleError(record)


def install(level_name):
    formatter = logging.Formatter(_FORMAT, _DATE_FORMAT)
    formatter.converter = time.gmtime
    handler = StdoutHandler()
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = _LEVELS.get((level_name or "").upper())
    if level:
        root.setLevel(level)
    return handler


def set_request_id(request_id):
    RequestIdFilter.request_id = request_id or ""

"""Events in, results out, as Lambda's Python runtime encodes them.

A result is JSON with the json module's default separators (", " and ": ") and ASCII escapes,
which is what Lambda's runtime (simplejson with the same defaults) writes; a str result is a
JSON string; bytes go out unchanged.
"""

import json
import sys

from . import errors


class _Encoder(json.JSONEncoder):
    def default(self, o):
        # Lambda writes a Decimal's digits as they are; the json module cannot, so an integral
        # Decimal becomes an int (exact) and any other a float (docs/runtimes.md says so).
        # No Decimal exists unless someone imported decimal: not importing it spares a cold start.
        decimal = sys.modules.get("decimal")
        if decimal is not None and isinstance(o, decimal.Decimal):
            if o.is_nan():
                return float("nan")
            return int(o) if o == o.to_integral_value() and o.is_finite() else float(o)
        return super().default(o)


_ENCODER = _Encoder()


def event_of(request):
    if request.content_type not in (None, "application/json"):
        return request.body
    try:
        return json.loads(request.body)
    except ValueError as e:
        raise errors.FaultException(errors.UNMARSHAL_ERROR, "Unable to unmarshal input: %s" % e)


def result_bytes(result):
    if isinstance(result, (bytes, bytearray)):
        return bytes(result)
    try:
        return _ENCODER.encode(result).encode("utf-8")
    except (TypeError, ValueError, OverflowError, RecursionError) as e:
        raise errors.FaultException(errors.MARSHAL_ERROR, "Unable to marshal response: %s" % e)

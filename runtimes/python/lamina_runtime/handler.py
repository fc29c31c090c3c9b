"""Finding the function: _HANDLER is module.function, the module found on sys.path."""

import importlib
import sys

from . import errors


def load(handler):
    """The callable _HANDLER names; a FaultException with Lambda's error type when there is none."""
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as e:
        raise errors.FaultException(errors.MALFORMED_HANDLER_NAME, "Bad handler '%s': %s" % (handler, e))
    if not module_name or not function_name:
        raise errors.FaultException(errors.MALFORMED_HANDLER_NAME, "Bad handler '%s': empty module or function name" % handler)

    # Lambda accepts a path-like module (src/app.handler) and imports it as a package path.
    module_name = module_name.replace("/", ".")
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise errors.FaultException(errors.BUILT_IN_MODULE_CONFLICT,
                                    "Cannot use built-in module %s as a handler module" % module_name)
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise errors.FaultException(errors.IMPORT_MODULE_ERROR, "Unable to import module '%s': %s" % (module_name, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, (e.text or "").strip())]
        raise errors.FaultException(errors.USER_CODE_SYNTAX_ERROR, "Syntax error in module '%s': %s" % (module_name, e), trace)

    function = getattr(module, function_name, None)
    if function is None:
        raise errors.FaultException(errors.HANDLER_NOT_FOUND,
                                    "Handler '%s' missing on module '%s'" % (function_name, module_name))
    if not callable(function):
        raise errors.FaultException(errors.HANDLER_NOT_FOUND,
                                    "Handler '%s' on module '%s' is not callable" % (function_name, module_name))
    return function

"""Schemathesis extensions for the fuzzing tier (loaded through ``SCHEMATHESIS_HOOKS``)."""

from __future__ import annotations

import ast
import threading
from typing import Any

import schemathesis

# The verify route takes the certificate's bytes as application/pdf: send generated binaries as they are.
schemathesis.serializer.alias("application/pdf", "application/octet-stream")

# One ast.parse at a time. With two workers (FUZZ_WORKERS), hypothesis parses source files for constants in
# both threads at once, and CPython 3.11 keeps the AST builder's recursion depth per interpreter, not per thread
# (python/cpython#106905): a run now and then failed with "SystemError: AST constructor recursion depth
# mismatch" before sending a request, no fault of a service.
_parse = ast.parse
_parsing = threading.Lock()


def _parse_one_at_a_time(*args: Any, **kwargs: Any) -> Any:
    with _parsing:
        return _parse(*args, **kwargs)


ast.parse = _parse_one_at_a_time

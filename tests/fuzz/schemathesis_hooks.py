"""Schemathesis extensions for the fuzzing tier (loaded through ``SCHEMATHESIS_HOOKS``)."""

from __future__ import annotations

import schemathesis

# The verify route takes the certificate's bytes as application/pdf: send generated binaries as they are.
schemathesis.serializer.alias("application/pdf", "application/octet-stream")

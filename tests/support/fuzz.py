"""Schemathesis against the API's own document: the checks every answer must pass and the
configuration of a repeatable run (test_fuzz_openapi.py, test_fuzz_findings.py)."""

from __future__ import annotations

from typing import Any

from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

SEED = 11
DOCUMENT = "/api/v1/openapi.json"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
CHECK_NAMES = [check.__name__ for check in CHECKS]


def fuzz_config(**options: Any) -> SchemathesisConfig:
    """A fixed seed; ``options`` as in schemathesis.toml."""
    return SchemathesisConfig.from_dict({"seed": SEED, **options})

"""A province for the conformance rules: the sample organisation and decision (with 2.000488
published), plus procedures of our own whose decisions and processes each test writes
(``conformance_builders``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from conformance_builders import CODE, Decide, Publish, entry, scenario

from motcua.catalog.operations import import_decision
from motcua.db import db
from motcua.processes.models import ProcessVersion
from motcua.processes.operations import upload_and_publish
from support.bpmn import SCENARIOS
from support.sample import form_files


@pytest.fixture
def decide(sample: dict[str, Any]) -> Decide:
    """Imports a decision ``number`` effective on ``effective`` about ``entries``."""

    def run(number: str, effective: str, *entries: dict[str, Any],
            issued: str | None = None) -> None:
        doc = {"decision": {"number": number, "date": issued or effective,
                            "effective": effective, "issuer": "UBND tỉnh Mẫu",
                            "title": f"Quyết định {number}"},
               "procedures": list(entries)}
        import_decision(doc, json.dumps(doc, ensure_ascii=False))
        db.session.flush()

    return run


@pytest.fixture
def publish(sample: dict[str, Any]) -> Publish:
    """Publishes ``bpmn`` (the matching scenario by default) for ``code`` from ``effective``."""

    def run(code: str = CODE, bpmn: bytes | None = None,
            effective: date = date(2026, 1, 5)) -> ProcessVersion:
        version = upload_and_publish(code, bpmn if bpmn is not None else scenario(),
                                     f"{code}.bpmn", form_files(SCENARIOS / "forms"),
                                     effective)
        db.session.flush()
        return version

    return run


@pytest.fixture
def procedure(decide: Decide, publish: Publish) -> Callable[..., ProcessVersion]:
    """Our procedure decided from 5 January 2026 with ``steps`` and ``changes``, its process
    ``bpmn`` published from the same day."""

    def run(bpmn: bytes | None = None, steps: list[dict[str, Any]] | None = None,
            **changes: Any) -> ProcessVersion:
        decide("1/QĐ-KT", "2026-01-05", entry(steps=steps, **changes))
        return publish(bpmn=bpmn)

    return run

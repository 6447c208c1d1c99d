"""The shared sample province (H99, ``shared/samples``): its organisation, its decision and its
process for 2.000488, or a scenario's decision and processes on the same organisation."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from motcua.catalog.operations import import_decision
from motcua.db import db
from motcua.org.operations import import_org
from motcua.processes.operations import FormFile, upload_and_publish
from support.paths import SAMPLES

SAMPLE_BPMN = SAMPLES / "bpmn" / "ly-lich-tu-phap.bpmn"
SAMPLE_FORMS = SAMPLES / "forms"
SAMPLE_PROCESSES = {"2.000488": SAMPLE_BPMN}
SAMPLE_EFFECTIVE = date(2026, 1, 1)

def form_files(folder: Path) -> list[FormFile]:
    return [FormFile(p.name, p.read_bytes()) for p in sorted(folder.glob("*.json"))]


def load_province(org: dict[str, Any], *, users: Iterable[dict[str, Any]] = (),
                  decision: Path = SAMPLES / "decision.json",
                  processes: Mapping[str, Path] = SAMPLE_PROCESSES,
                  forms: Path = SAMPLE_FORMS,
                  effective: date | None = SAMPLE_EFFECTIVE) -> dict[str, Any]:
    """Import ``org`` (with ``users`` added to it), then ``decision``, then publish each of
    ``processes`` (procedure code → BPMN file) with the forms in ``forms``; commit. Returns
    ``org`` as imported."""
    org["users"].extend(users)
    import_org(org)
    text = decision.read_text(encoding="utf-8")
    import_decision(json.loads(text), text)
    for code, bpmn in processes.items():
        upload_and_publish(code, bpmn.read_bytes(), bpmn.name, form_files(forms), effective)
    db.session.commit()
    return org

"""Load the demo: organisation, decision, and the process library (bpmn/, forms/)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from motcua.catalog.operations import import_decision
from motcua.org.operations import import_org
from motcua.processes.operations import FormFile, upload_and_publish, version_in_effect

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[3]
LIBRARY = REPO / "bpmn"
FORMS = REPO / "forms"


def load_demo(effective: date) -> list[str]:
    from motcua.catalog.operations import get_procedure
    from motcua.errors import AppError

    lines = []
    org_text = (DATA / "org.json").read_text(encoding="utf-8")
    lines.append("Tổ chức: " + import_org(json.loads(org_text)).summary())
    decision_text = (DATA / "decision.json").read_text(encoding="utf-8")
    lines.append("Quyết định: " + import_decision(json.loads(decision_text),
                                                  decision_text).summary())
    manifest = json.loads((LIBRARY / "library.json").read_text(encoding="utf-8"))
    forms = [FormFile(p.name, p.read_bytes()) for p in sorted(FORMS.glob("*.json"))]
    for entry in manifest["processes"]:
        procedure = get_procedure(entry["procedure"])
        try:
            current = version_in_effect(procedure)
        except AppError:
            current = None
        path = LIBRARY / entry["bpmn"]
        bpmn = path.read_bytes()
        if current is not None and current.bpmn_xml == bpmn.decode("utf-8-sig"):
            lines.append(f"Quy trình {procedure.code}: giữ nguyên phiên bản {current.version}")
            continue
        library = [(p.name, p.read_bytes()) for p in sorted(LIBRARY.glob("*.bpmn")) if p != path]
        version = upload_and_publish(procedure.code, bpmn, path.name, forms, effective,
                                     library=library)
        lines.append(f"Quy trình {procedure.code}: đã công bố phiên bản {version.version}")
    return lines


def load_dossiers(count: int) -> str:
    """Dossiers of the library's procedures over the last months (see ``demo.dossiers``)."""
    from motcua.demo.dossiers import load_demo_dossiers

    manifest = json.loads((LIBRARY / "library.json").read_text(encoding="utf-8"))
    return load_demo_dossiers(count, [entry["procedure"] for entry in manifest["processes"]])

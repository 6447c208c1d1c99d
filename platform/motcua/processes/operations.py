"""Process verbs: upload and check a BPMN process with its e-forms, publish a version,
and find the version a new dossier runs on."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from motcua.calendar.working_time import TZ
from motcua.catalog.models import Procedure
from motcua.catalog.operations import get_procedure
from motcua.clock import now as clock_now
from motcua.db import db, utcnow
from motcua.engine.runtime import SpecBundle, adopt_timers, dump_spec, load_spec
from motcua.errors import Conflict, Invalid, NotFound
from motcua.org.models import Agency, User
from motcua.processes.checks import (
    CheckResult,
    Problem,
    ProcedureContext,
    StepConfig,
    check_process,
)
from motcua.processes.checks.forms import forms_from_files as read_forms
from motcua.processes.checks.problems import errors, with_rule
from motcua.processes.checks.xml_safety import as_utf8
from motcua.processes.meanings import Meaning
from motcua.processes.models import Form, ProcessVersion, VersionStatus


@dataclass
class FormFile:
    filename: str
    content: bytes


def forms_from_files(files: Sequence[FormFile]) -> tuple[dict[str, dict[str, Any]],
                                                        list[Problem]]:
    return read_forms([(f.filename, f.content) for f in files])


def agency_exists(code: str) -> bool:
    return db.session.scalar(select(Agency.id).where(Agency.code == code)) is not None


def agency_name(code: str) -> str | None:
    """An explicit unit as designers know it (the checks name it, never query)."""
    return db.session.scalar(select(Agency.name).where(Agency.code == code))


def check(bpmn: bytes, filename: str, forms: Mapping[str, Mapping[str, Any]],
          library: Sequence[tuple[str, bytes]] = (),
          procedure: Procedure | None = None) -> CheckResult:
    """Every check of an upload; ``procedure`` (the one it is for) adds the legal ones."""
    context = ProcedureContext.from_procedure(procedure) if procedure is not None else None
    return check_process(bpmn, filename, forms, library=library, agency_exists=agency_exists,
                         procedure=context, agency_name=agency_name)


def upload(procedure_code: str, bpmn: bytes, filename: str, form_files: Sequence[FormFile],
           user: User | None, library: Sequence[tuple[str, bytes]] = ()) -> ProcessVersion:
    """Check and store a draft version; nothing is stored if there is any problem."""
    forms, problems = forms_from_files(form_files)
    return store_version(procedure_code, bpmn, filename, forms, user, library,
                         with_rule(problems, "form"))


def store_version(procedure_code: str, bpmn: bytes, filename: str,
                  forms: Mapping[str, Mapping[str, Any]], user: User | None,
                  library: Sequence[tuple[str, bytes]] = (),
                  problems: Sequence[Problem] = ()) -> ProcessVersion:
    """Check ``bpmn`` with ``forms`` (key -> {"schema", "ui"?}) and store it as an unpublished
    version; refused with every error (and nothing stored) if there is one. ``problems`` are
    found earlier (reading the form files) and count as the check's own."""
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == procedure_code))
    if procedure is None:
        raise Invalid(f"Không có thủ tục {procedure_code}",
                      [{"field": "procedure", "message": "Thủ tục không tồn tại"}])
    result = check(bpmn, filename, forms, library, procedure)
    found = [*problems, *result.problems]
    if errors(found) or result.spec is None:
        raise Invalid(f"Quy trình có {len(errors(found))} lỗi, chưa được lưu",
                      [_upload_detail(p) for p in errors(found)])
    bundle = adopt_timers(SpecBundle(result.spec, result.subprocess_specs))
    latest = db.session.scalar(
        select(func.max(ProcessVersion.version)).where(ProcessVersion.procedure_id == procedure.id))
    used = {s.form for s in result.steps.values()} | {result.start_form}
    version = ProcessVersion(
        procedure_id=procedure.id, version=(latest or 0) + 1, status=VersionStatus.DRAFT,
        filename=filename,
        bpmn_xml=as_utf8(bpmn, filename).decode("utf-8"),
        library=[{"filename": n, "xml": x.decode("utf-8-sig", errors="replace")}
                 for n, x in library],
        bpmn_sha256=hashlib.sha256(bpmn).hexdigest(), process_id=result.process_id,
        process_name=result.process_name, spec=dump_spec(bundle),
        steps={k: s.as_dict() for k, s in result.steps.items()}, timers=result.timers,
        start_form=result.start_form, problems=[p.as_dict() for p in found],
        created_at=utcnow(),
        created_by_id=user.id if user else None,
        forms=[Form(key=k, schema=dict(f["schema"]), ui=f.get("ui"))
               for k, f in sorted(forms.items()) if k in used],
    )
    db.session.add(version)
    db.session.flush()
    return version


# Ids are 32-bit integer columns: a larger one names nothing (and would overflow the driver).
MAX_ID = 2**31 - 1


def _upload_detail(problem: Problem) -> dict[str, Any]:
    """A refused upload's problem as an error detail: one on no element names the part of
    the upload it is about (a form file, else the BPMN file)."""
    detail = problem.as_dict()
    if "element_id" not in detail:
        detail.setdefault("field", "forms" if (problem.file or "").endswith(".json")
                          else "bpmn")
    return detail


def get_version(version_id: int) -> ProcessVersion:
    version = db.session.get(ProcessVersion, version_id) if 0 < version_id <= MAX_ID else None
    if version is None:
        raise NotFound(f"Không có phiên bản quy trình {version_id}")
    return version


def publish(version: ProcessVersion, effective: date | None, user: User | None) -> ProcessVersion:
    if version.status != VersionStatus.DRAFT:
        raise Conflict(f"Phiên bản {version.version} đã được công bố và không thể thay đổi")
    version.status = VersionStatus.PUBLISHED
    version.effective = effective or clock_now().astimezone(TZ).date()
    version.published_at = utcnow()
    version.published_by_id = user.id if user else None
    db.session.flush()
    return version


def retire(version: ProcessVersion, user: User | None) -> ProcessVersion:
    """Stop new dossiers starting on ``version``; those started on it run on to the end."""
    if version.status != VersionStatus.PUBLISHED:
        raise Conflict(f"Chỉ phiên bản đã công bố mới ngừng áp dụng được (phiên bản "
                       f"{version.version} đang ở trạng thái {version.status})")
    version.status = VersionStatus.RETIRED
    version.retired_at = utcnow()
    version.retired_by_id = user.id if user else None
    db.session.flush()
    return version


def versions_of(procedure: Procedure) -> list[ProcessVersion]:
    return list(db.session.scalars(
        select(ProcessVersion).where(ProcessVersion.procedure_id == procedure.id)
        .order_by(ProcessVersion.version.desc())))


def upload_and_publish(procedure_code: str, bpmn: bytes, filename: str,
                       form_files: Sequence[FormFile], effective: date | None,
                       user: User | None = None,
                       library: Sequence[tuple[str, bytes]] = ()) -> ProcessVersion:
    get_procedure(procedure_code)
    version = upload(procedure_code, bpmn, filename, form_files, user, library)
    return publish(version, effective, user)


def version_in_effect(procedure: Procedure, on: date | None = None) -> ProcessVersion:
    """The published version new dossiers start on: the latest in effect today."""
    on = on or clock_now().astimezone(TZ).date()
    version = db.session.scalar(
        select(ProcessVersion)
        .where(ProcessVersion.procedure_id == procedure.id,
               ProcessVersion.status == VersionStatus.PUBLISHED,
               ProcessVersion.effective <= on)
        .order_by(ProcessVersion.effective.desc(), ProcessVersion.version.desc())
        .limit(1))
    if version is None:
        raise Invalid(f"Thủ tục {procedure.code} chưa có quy trình điện tử đang có hiệu lực",
                      [{"field": "procedure", "message": "Chưa có quy trình được công bố"}])
    return version


@dataclass(frozen=True)
class CompiledVersion:
    """A published version as the runtime needs it, cached per process."""

    id: int
    steps: dict[str, StepConfig]
    start_form: str | None
    forms: dict[str, dict[str, Any]]
    bundle: SpecBundle
    # Each form's ui.json, for the renderer (absent when the form has none).
    form_uis: dict[str, dict[str, Any]]

    def form_schema(self, key: str | None) -> dict[str, Any] | None:
        return self.forms.get(key) if key else None

    def form_ui(self, key: str | None) -> dict[str, Any] | None:
        return self.form_uis.get(key) if key else None

    def step(self, element_id: str) -> StepConfig | None:
        return self.steps.get(element_id)

    @property
    def declares_supplement(self) -> bool:
        """Some outcome means "supplement": form 02 is issued and the clock stops when it is
        chosen. Without one, the older rule holds: when a ``document=supplement`` step opens."""
        return any(Meaning.SUPPLEMENT in s.meanings for s in self.steps.values())


def compiled(version_id: int) -> CompiledVersion:
    cache = current_app.extensions["motcua_versions"]
    version: CompiledVersion = cache.get(version_id, lambda: _compile(version_id))
    return version


def _compile(version_id: int) -> CompiledVersion:
    version = db.session.scalar(select(ProcessVersion).where(ProcessVersion.id == version_id)
                                .options(undefer(ProcessVersion.spec)))
    if version is None or version.spec is None:
        raise NotFound(f"Không có phiên bản quy trình {version_id}")
    return CompiledVersion(
        id=version.id,
        steps={k: StepConfig.from_dict(v) for k, v in (version.steps or {}).items()},
        start_form=version.start_form,
        forms={f.key: f.schema for f in version.forms},
        form_uis={f.key: f.ui for f in version.forms if f.ui},
        bundle=adopt_timers(load_spec(version.spec)))

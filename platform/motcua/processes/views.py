"""POST /processes (upload + check a draft), GET /processes/{id}, POST .../publish."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from motcua.calendar.working_time import TZ
from motcua.catalog.operations import get_procedure
from motcua.clock import now
from motcua.errors import Invalid, NotFound, field_error
from motcua.org.auth import current_user
from motcua.processes import operations
from motcua.processes.access import can_design, require_designer
from motcua.processes.models import ProcessVersion
from motcua.processes.schemas import PublishBody, UploadFiles, UploadForm, VersionSchema
from motcua.uploads import read_upload

blp = Blueprint("processes", __name__, description="Quy trình điện tử")

@blp.route("/processes", methods=["POST"])
@blp.arguments(UploadForm, location="form")
@blp.arguments(UploadFiles, location="files")
@blp.response(201, VersionSchema)
def upload(form: dict[str, Any], files: dict[str, Any]) -> ProcessVersion:
    user = current_user()
    procedure = get_procedure(form["procedure"]) if form.get("procedure") else None
    if procedure is None:
        raise Invalid("Thiếu thủ tục", [{"field": "procedure", "message": "Bắt buộc"}])
    require_designer(user, procedure)
    filename, bpmn = read_upload(files["bpmn"], "bpmn")
    form_files = [operations.FormFile(*read_upload(f, "forms")) for f in files.get("forms", [])]
    library = [read_upload(f, "library") for f in files.get("library", [])]
    return operations.upload(procedure.code, bpmn, filename, form_files, user, library)


@blp.route("/processes/<int:version_id>")
@blp.response(200, VersionSchema)
def show(version_id: int) -> ProcessVersion:
    user = current_user()
    version = operations.get_version(version_id)
    if not (can_design(user, version.procedure) or user.has_role("auditor")):
        raise NotFound(f"Không có phiên bản quy trình {version_id}")
    return version


@blp.route("/processes/<int:version_id>/publish", methods=["POST"])
@blp.arguments(PublishBody)
@blp.response(200, VersionSchema)
def publish(body: dict[str, Any], version_id: int) -> ProcessVersion:
    user = current_user()
    version = operations.get_version(version_id)
    if not can_design(user, version.procedure):
        if user.has_role("auditor"):
            require_designer(user, version.procedure)
        raise NotFound(f"Không có phiên bản quy trình {version_id}")
    effective = body.get("effective")
    today = now().astimezone(TZ).date()
    if effective is not None and effective < today:
        # A version taking effect in the past would rewrite which process dossiers already
        # received "should" have run on.
        raise field_error("effective", f"Ngày hiệu lực phải từ hôm nay ({today:%d/%m/%Y}) trở đi")
    return operations.publish(version, effective, user)

"""Server-rendered pages for officers and the public lookup. Each page module registers its
routes on ``bp``; labels and formatting helpers are shared with the templates here."""

from __future__ import annotations

from flask import Blueprint, Flask

from motcua.dossiers.words import DOCUMENT_NAMES, STATUS_WORDS
from motcua.web.formatting import countdown, form_date, local_dt, working

bp = Blueprint("web", __name__, template_folder="templates")

ROLE_LABELS = {
    "receiver": "Bộ phận Một cửa", "specialist": "Chuyên viên", "unit_head": "Lãnh đạo phòng",
    "leader": "Lãnh đạo cơ quan", "clerk": "Văn thư", "designer": "Cấu hình quy trình",
    "auditor": "Kiểm soát TTHC", "admin": "Quản trị", "sysadmin": "Quản trị hệ thống",
}
STATUS_LABELS = STATUS_WORDS
TASK_STATE_LABELS = {"ready": "Chờ nhận xử lý", "claimed": "Đang xử lý",
                     "completed": "Đã hoàn thành", "cancelled": "Đã hủy"}
TIMING_LABELS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}
CHANNEL_LABELS = {"direct": "Trực tiếp", "postal": "Bưu chính", "online": "Trực tuyến"}
DOCUMENT_LABELS = DOCUMENT_NAMES
MEANING_LABELS = {"accept": "Tiếp nhận", "supplement": "Yêu cầu bổ sung", "refuse": "Từ chối",
                  "back": "Trả lại", "forward": "Chuyển tiếp"}
ACTION_LABELS = {"received": "Tiếp nhận hồ sơ", "claimed": "Nhận xử lý",
                 "completed": "Hoàn thành bước", "document": "Phát hành văn bản",
                 "stopped": "Dừng giải quyết", "extended": "Xin lỗi, hẹn lại ngày trả",
                 "timer": "Hết thời hạn chờ", "overdue": "Quá hạn",
                 "error": "Lỗi khi chạy quy trình"}


def register_web(app: Flask) -> None:
    from motcua.web import account, dossier_list, dossier_pages, lookup, receive, task_pages  # noqa: F401

    app.register_blueprint(bp)
    env = app.jinja_env
    env.globals.update(role_label=lambda r: ROLE_LABELS.get(r, r), status_labels=STATUS_LABELS,
                       task_state_labels=TASK_STATE_LABELS, timing_labels=TIMING_LABELS,
                       channel_labels=CHANNEL_LABELS, document_labels=DOCUMENT_LABELS,
                       action_labels=ACTION_LABELS, meaning_labels=MEANING_LABELS,
                       countdown=countdown)
    env.filters.update(local_dt=local_dt, working=working, form_date=form_date)

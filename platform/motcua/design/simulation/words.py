"""How a test run's answer says things in Vietnamese: statuses, how the dossier ends."""

from __future__ import annotations

from motcua.processes.checks.words import DOCUMENT_WORDS, ROLE_WORDS

STATUS_WORDS = {
    "received": "Mới tiếp nhận", "processing": "Đang giải quyết",
    "supplement_requested": "Chờ bổ sung hồ sơ", "refused": "Từ chối giải quyết",
    "stopped": "Dừng giải quyết", "done": "Đã có kết quả", "returned": "Đã trả kết quả",
}
# What each ending means for the applicant, as the end of the table says it.
END_WORDS = {
    "returned": "Trả kết quả cho tổ chức, cá nhân",
    "refused": "Từ chối giải quyết, cấp Phiếu từ chối (Mẫu 03)",
}
ROLE_NAMES = ROLE_WORDS
DOCUMENT_NAMES = DOCUMENT_WORDS | {
    "supplement": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)",
    "result": "Kết quả giải quyết",
}


def end_text(status: str, ended: bool, last_step: str | None, waiting: list[str]) -> str:
    """"Hồ sơ kết thúc: trả kết quả ..." or where it stopped and why."""
    if ended:
        ending = END_WORDS.get(status, STATUS_WORDS.get(status, status))
        after = f" sau bước \u201c{last_step}\u201d" if last_step else ""
        return f"Hồ sơ kết thúc: {ending}{after}."
    if waiting:
        return (f"Hồ sơ chưa kết thúc: đang chờ ở {', '.join(waiting)} "
                f"({STATUS_WORDS.get(status, status).lower()}).")
    return f"Hồ sơ chưa kết thúc ({STATUS_WORDS.get(status, status).lower()})."

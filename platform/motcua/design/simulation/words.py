"""How a test run's answer says things in Vietnamese: statuses, how the dossier ends."""

from __future__ import annotations

from motcua.dossiers.words import STATUS_WORDS

# What each ending means for the applicant, as the end of the table says it.
END_WORDS = {
    "returned": "Trả kết quả cho tổ chức, cá nhân",
    "refused": "Từ chối giải quyết, cấp Phiếu từ chối (Mẫu 03)",
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

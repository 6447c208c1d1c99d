"""The walk every measured dossier takes through the sample process (2.000488), with valid
data for each step's e-form (shared/samples/forms): 9 completions including one send-back."""

from __future__ import annotations

from typing import Any, NamedTuple

APPLICANT = {"name": "Nguyễn Văn An", "id_number": "001090012345", "phone": "0912345678",
             "email": "an.nguyen@example.vn", "address": "12 Lê Lợi, phường Đông Hải"}

# to-khai-ly-lich-tu-phap.schema.json: every required field, and a residence history.
APPLICATION: dict[str, Any] = {
    "ho_ten": "Nguyễn Văn An", "ngay_sinh": "1990-05-17", "gioi_tinh": "Nam",
    "so_dinh_danh": "001090012345", "noi_cu_tru": "12 Lê Lợi, phường Đông Hải, tỉnh Mẫu",
    "dien_thoai": "0912345678", "email": "an.nguyen@example.vn", "loai_phieu": "Phiếu số 1",
    "so_luong": 1, "muc_dich": "Bổ sung hồ sơ xin việc",
    "nhan_ket_qua": "Tại Bộ phận Một cửa",
    "qua_trinh_cu_tru": [
        {"tu": "2004-05-17", "den": "2012-06-30", "noi_cu_tru": "xã Đông Hải",
         "nghe_nghiep": "Học sinh"},
        {"tu": "2012-07-01", "den": "2026-01-01", "noi_cu_tru": "phường Đông Hải",
         "nghe_nghiep": "Kỹ sư, Công ty TNHH Mẫu"}],
}


class Step(NamedTuple):
    """One completion: who completes which step, with which outcome, form data and note. A
    step whose outcome means refuse, supplement or back needs a reason: the step's declared
    ``reason_field``, else the note (2.000488 declares no reason_field)."""

    user: str
    element_id: str
    outcome: str | None
    data: dict[str, Any]
    note: str | None = None

    def body(self) -> dict[str, Any]:
        """The body of ``POST /api/v1/tasks/{id}/complete``."""
        return {"outcome": self.outcome, "note": self.note, "data": self.data}


def create_body() -> dict[str, Any]:
    return {"procedure": "2.000488", "channel": "direct", "desk": "000.00.31.H99",
            "applicant": APPLICANT, "data": APPLICATION}


RECEIVE = Step("mc.lan", "Task_Receive", "accept", {
    "thanh_phan": [{"ten": "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "ban_chinh": 1,
                    "ban_sao": 0}],
    "ghi_chu": "Hồ sơ đầy đủ"})
ASSIGN = Step("tp.hung", "Task_Assign", None, {"assignee": "cv.mai",
                                               "chi_dao": "Thẩm định, tra cứu trong 5 ngày"})
EXAMINE = Step("cv.mai", "Task_Examine", "approve", {
    "y_kien": "Đã tra cứu cơ sở dữ liệu lý lịch tư pháp, không có án tích",
    "du_thao": "Phiếu lý lịch tư pháp số 1"})
REVIEW_BACK = Step("tp.hung", "Task_Review", "back", {"y_kien": "Bổ sung kết quả tra cứu"},
                   note="Trả lại: bổ sung kết quả tra cứu")
REVIEW_AGREE = Step("tp.hung", "Task_Review", "agree", {"y_kien": "Đồng ý trình ký"})
APPROVE = Step("gd.son", "Task_Approve", "sign", {"y_kien": "Ký duyệt"})
ISSUE = Step("vt.ha", "Task_Issue", None, {"so_ky_hieu": "125/PLLTP",
                                            "ngay_ky": "2026-03-05",
                                            "nguoi_ky": "Đỗ Thanh Sơn"})
RETURN = Step("mc.lan", "Task_Return", None, {"hinh_thuc": "Trực tiếp",
                                              "nguoi_nhan": "Nguyễn Văn An"})

# accept → assign → examine approve → review back → examine approve → review agree →
# approve sign → issue → return
WALK = [RECEIVE, ASSIGN, EXAMINE, REVIEW_BACK, EXAMINE, REVIEW_AGREE, APPROVE, ISSUE, RETURN]
# The send-back loop of part 2 (starts and ends with the examine task ready).
LOOP = [EXAMINE, REVIEW_BACK]
STEP_LABELS = ["accept", "assign", "examine", "review back", "examine (again)", "review agree",
               "approve sign", "issue", "return"]

"""A dossier's statuses and the documents it is issued, as officers and citizens read them:
one wording for the officers' pages and the designer's test runs."""

from __future__ import annotations

STATUS_WORDS = {
    "received": "Mới tiếp nhận", "processing": "Đang giải quyết",
    "supplement_requested": "Chờ bổ sung hồ sơ", "refused": "Từ chối giải quyết",
    "stopped": "Dừng giải quyết", "done": "Đã có kết quả", "returned": "Đã trả kết quả",
}
DOCUMENT_NAMES = {
    "receipt": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)",
    "supplement": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)",
    "refusal": "Phiếu từ chối tiếp nhận, giải quyết hồ sơ (Mẫu 03)",
    "apology": "Văn bản xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)",
    "stop": "Thông báo dừng giải quyết hồ sơ (Mẫu 05)",
    "control_slip": "Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu 06)",
    "result": "Kết quả giải quyết",
}

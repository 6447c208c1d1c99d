"""Who files the demo's dossiers and what officers write on them: Vietnamese names with their
diacritics, organisations, addresses, numbers, and the reasons officers give. Seeded, so the
same run makes the same people."""

from __future__ import annotations

import random
from dataclasses import dataclass

from motcua.contact import phone_number
from motcua.folding import fold

# Family names roughly as common as they are in Vietnam (Nguyễn about a third).
FAMILY = {"Nguyễn": 30, "Trần": 11, "Lê": 9, "Phạm": 7, "Hoàng": 5, "Phan": 5, "Võ": 4,
          "Đặng": 3, "Bùi": 3, "Đỗ": 3, "Hồ": 3, "Ngô": 2, "Dương": 2, "Đinh": 2, "Thái": 2,
          "Lý": 1}
MIDDLE = {"male": ["Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Xuân", "Đình", "Trung"],
          "female": ["Thị", "Thu", "Ngọc", "Thanh", "Hoài", "Thùy", "Phương", "Mỹ", "Thị"]}
GIVEN = {"male": ["An", "Bình", "Cường", "Dũng", "Hùng", "Hải", "Hiếu", "Khánh", "Long",
                  "Minh", "Nam", "Phong", "Quân", "Sơn", "Thắng", "Tuấn", "Việt", "Đức",
                  "Kiên", "Lộc", "Toàn", "Vinh"],
         "female": ["Anh", "Chi", "Dung", "Giang", "Hà", "Hằng", "Hoa", "Hương", "Lan",
                    "Linh", "Mai", "Ngọc", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo",
                    "Trang", "Vân", "Yến", "Huyền", "Loan"]}
ORG_KINDS = ["Công ty TNHH", "Công ty Cổ phần", "Công ty TNHH một thành viên"]
ORG_NAMES = ["Xây dựng Thành Đạt", "Đầu tư và Phát triển Hưng Thịnh", "Tư vấn Thiết kế An Phát",
             "Thương mại và Xây dựng Minh Long", "Bất động sản Phúc Khang", "Xây lắp Trường Sơn",
             "Đầu tư Hạ tầng Hoàng Gia", "Kết cấu thép Việt Tiến", "Phát triển Đô thị Sao Mai",
             "Vật liệu Xây dựng Hợp Lực", "Du lịch và Dịch vụ Biển Xanh", "Cơ khí Tân Tiến"]
STREETS = ["Trần Phú", "Phan Đình Phùng", "Nguyễn Du", "Hàm Nghi", "Lê Lợi", "Quang Trung",
           "Hà Huy Tập", "Nguyễn Huy Tự", "Xô Viết Nghệ Tĩnh", "Lý Tự Trọng", "Hải Thượng Lãn Ông"]
WARDS = ["phường Trần Phú", "phường Nguyễn Du", "phường Lê Lợi", "phường Quang Trung",
         "phường Bắc Hà", "phường Nam Hà", "xã Hòa Bình", "xã Tân Lập", "xã Đông Hưng",
         "xã Thạch Long", "xã Xuân An"]
PROJECTS = ["Nhà làm việc và văn phòng cho thuê", "Khách sạn và dịch vụ lưu trú",
            "Trung tâm thương mại tổng hợp", "Nhà xưởng sản xuất vật liệu xây dựng",
            "Khu nhà ở liền kề", "Trường mầm non tư thục", "Kho vận và trung tâm logistics",
            "Nhà văn hóa và sân thể thao"]
PURPOSES = ["Văn phòng làm việc", "Kinh doanh dịch vụ lưu trú", "Sản xuất, kho bãi",
            "Nhà ở kết hợp kinh doanh", "Giáo dục, đào tạo", "Thương mại, dịch vụ"]

OPINIONS = ["Hồ sơ đầy đủ, hợp lệ, đủ điều kiện giải quyết theo quy định.",
            "Đã kiểm tra, nội dung phù hợp; đề nghị lãnh đạo xem xét.",
            "Thống nhất với đề xuất của chuyên viên thụ lý.",
            "Đủ điều kiện; đề nghị phát hành kết quả theo quy định."]
REMINDERS = ["Đề nghị quý cơ quan sớm có ý kiến để kịp thời hạn trả kết quả cho tổ chức, "
             "cá nhân.",
             "Đã liên hệ qua điện thoại, cơ quan phối hợp hẹn trả lời trong ngày làm việc tiếp "
             "theo."]
SUPPLEMENT = "Thành phần hồ sơ chưa đầy đủ: {papers}. Đề nghị bổ sung một lần, đầy đủ theo phiếu."
REFUSALS = ["Hồ sơ không thuộc phạm vi giải quyết của thủ tục hành chính đã chọn.",
            "Giấy tờ nộp kèm có dấu hiệu tẩy xóa, sửa chữa, không bảo đảm tính hợp pháp.",
            "Kết quả thẩm định: hồ sơ không đáp ứng điều kiện theo quy định của pháp luật."]
SEND_BACKS = ["Đề nghị chuyên viên rà soát lại căn cứ pháp lý và số liệu trong dự thảo.",
              "Dự thảo còn sai sót về thể thức văn bản, đề nghị chỉnh sửa trước khi trình ký."]
APOLOGIES = ["Hồ sơ phức tạp, cần kiểm tra thực địa và lấy thêm ý kiến cơ quan liên quan.",
             "Cơ quan phối hợp chậm trả lời, chưa đủ căn cứ để trả kết quả đúng hẹn."]
STOPS = ["Tổ chức, cá nhân có văn bản đề nghị rút hồ sơ để điều chỉnh thiết kế.",
         "Theo đề nghị của người nộp hồ sơ: dừng giải quyết để hoàn thiện giấy tờ về đất đai."]


@dataclass(frozen=True)
class Applicant:
    """The applicant as the dossier names it, and the person who files or represents it."""

    name: str
    person: str
    id_number: str
    tax_code: str
    phone: str
    address: str
    organisation: bool

    def as_body(self) -> dict[str, str]:
        """The ``applicant`` of a dossier body, as the desk enters it."""
        return {"name": self.name, "id_number": self.tax_code if self.organisation
                else self.id_number, "phone": self.phone, "address": self.address}

    @property
    def email(self) -> str:
        return fold(self.person).replace(" ", ".") + "@example.vn"


def person_name(rng: random.Random) -> str:
    sex = rng.choice(("male", "female"))
    family = rng.choices(list(FAMILY), weights=list(FAMILY.values()))[0]
    middle = rng.choice(MIDDLE[sex])
    given = rng.choice([g for g in GIVEN[sex] if g != middle])
    return f"{family} {middle} {given}"


def id_number(rng: random.Random) -> str:
    # Citizen ID layout: province code, century and sex digit, year of birth, serial.
    return (f"0{rng.randint(1, 96):02d}{rng.choice('0123')}{rng.randint(60, 99):02d}"
            f"{rng.randint(0, 999_999):06d}")


def phone(rng: random.Random) -> str:
    number = f"0{rng.choice('3789')}{rng.randint(0, 99_999_999):08d}"
    # A prefix no network was given (the platform refuses it) moves to 091, drawing as many
    # numbers as before so the rest of the demo stays the same.
    try:
        return phone_number(number) or number
    except ValueError:
        return "091" + number[3:]


def address(rng: random.Random, province: str) -> str:
    return (f"Số {rng.randint(1, 250)}, đường {rng.choice(STREETS)}, {rng.choice(WARDS)}, "
            f"{province[:1].lower()}{province[1:]}")


def applicant(rng: random.Random, province: str, *, organisation: bool,
              person: str | None = None) -> Applicant:
    who = person or person_name(rng)
    name = f"{rng.choice(ORG_KINDS)} {rng.choice(ORG_NAMES)}" if organisation else who
    return Applicant(name=name, person=who, id_number=id_number(rng),
                     tax_code=f"{rng.randint(10, 99)}{rng.randint(0, 99_999_999):08d}",
                     phone=phone(rng), address=address(rng, province), organisation=organisation)


def scan_pdf() -> bytes:
    """One page standing for a scanned application, rendered once per run."""
    from motcua.documents.pdf import render_pdf

    return render_pdf("<html><head><title>Bản số hóa hồ sơ</title></head><body>"
                      "<h1>Bản số hóa hồ sơ</h1><p>Tệp minh họa của dữ liệu mẫu: bản chụp "
                      "tờ khai và giấy tờ kèm theo do Bộ phận Một cửa số hóa.</p></body></html>")

"""A form of every field type the officers' renderer draws, built as rows: compiled, drawn by
``render_form``, posted back as a browser would and parsed by ``parse_form``, and validated,
with good data accepted and bad data refused on the field that is wrong."""

from __future__ import annotations

from typing import Any

from motcua.design.formdesign.compile import compile_form
from motcua.design.formdesign.keys import field_key, form_key
from motcua.design.formdesign.patterns import READY_PATTERNS
from motcua.design.formdesign.problems import assign_keys, row_problems
from motcua.design.formdesign.rows import TYPES, FormRows, Option, Row, form_json, parse_form_rows
from motcua.forms import parse_form, render_form
from motcua.processes.checks.forms import schema_problems
from motcua.schema_errors import validate
from support.forms import browser_post, controls, parse_html, post

YES_NO = [Option("Đồng ý", "dong_y"), Option("Không đồng ý", "khong")]


def every_type() -> FormRows:
    """One row of each type but ``advanced``, keys left to their titles."""
    rows = [
        Row("", "Họ và tên", "text", required=True, min_length=2, max_length=50,
            placeholder="Nguyễn Văn A"),
        Row("", "Số định danh cá nhân", "text", pattern="cccd",
            help=READY_PATTERNS["cccd"].hint),
        Row("", "Số điện thoại", "text", pattern="phone"),
        Row("", "Mã số thuế", "text", pattern="tax_code"),
        Row("", "Ý kiến thẩm định", "textarea", max_length=200),
        Row("", "Số bản", "integer", required=True, minimum=1, maximum=10, default=1),
        Row("", "Diện tích (m²)", "number", minimum=0.5),
        Row("", "Ngày cấp", "date"),
        Row("", "Thời điểm trả", "datetime"),
        Row("", "Thư điện tử", "email"),
        Row("", "Loại bản", "select", options=[Option("Bản chính", "Bản chính"),
                                                Option("Bản sao", "Bản sao")]),
        Row("", "Kết luận", "radio", required=True, options=YES_NO),
        Row("", "Đã đối chiếu bản chính", "boolean"),
        Row("", "Chuyên viên thụ lý", "officer", role="specialist"),
        Row("", "Giấy tờ kèm theo", "group", min_rows=1, max_rows=3, rows=[
            Row("", "Tên giấy tờ", "text", required=True),
            Row("", "Số lượng", "integer", minimum=1)]),
        Row("", "Người nhận", "section", required=True, rows=[Row("", "Họ và tên", "text", required=True)]),
        Row("", "Căn cứ pháp lý", "list", max_length=20),
    ]
    form = FormRows(title="Biểu mẫu thử", rows=rows)
    assign_keys(form.rows)
    return form


GOOD: dict[str, Any] = {
    "ho_va_ten": "Trần Thị Bình", "so_dinh_danh_ca_nhan": "001090012345",
    "so_dien_thoai": "0912345678", "ma_so_thue": "0101234567-001",
    "y_kien_tham_dinh": "Hồ sơ đầy đủ", "so_ban": 2, "dien_tich_m": 12.5,
    "ngay_cap": "2026-03-02", "thoi_diem_tra": "2026-03-02T09:00:00+07:00",
    "thu_dien_tu": "binh@example.vn", "loai_ban": "Bản sao", "ket_luan": "dong_y",
    "da_doi_chieu_ban_chinh": True, "chuyen_vien_thu_ly": "cv.mai",
    "giay_to_kem_theo": [{"ten_giay_to": "Đơn", "so_luong": 1}],
    "nguoi_nhan": {"ho_va_ten": "Lê Văn Cường"}, "can_cu_phap_ly": ["Luật 1", "Nghị định 2"],
}
BAD: dict[str, Any] = {
    "ho_va_ten": "T", "so_dinh_danh_ca_nhan": "12345", "so_dien_thoai": "12345",
    "ma_so_thue": "0101234567-1", "y_kien_tham_dinh": "x" * 201, "so_ban": 11,
    "dien_tich_m": 0.1, "ngay_cap": "02/03/2026", "thu_dien_tu": "không-phải-thư",
    "loai_ban": "Bản photo", "ket_luan": "co_le", "giay_to_kem_theo": [{}],
    "nguoi_nhan": {}, "can_cu_phap_ly": ["x" * 21],
}
BAD_FIELDS = {
    "data.ho_va_ten", "data.so_dinh_danh_ca_nhan", "data.so_dien_thoai", "data.ma_so_thue",
    "data.y_kien_tham_dinh", "data.so_ban", "data.dien_tich_m", "data.ngay_cap",
    "data.thu_dien_tu", "data.loai_ban", "data.ket_luan", "data.giay_to_kem_theo[0].ten_giay_to",
    "data.nguoi_nhan.ho_va_ten", "data.can_cu_phap_ly[0]",
}


def test_the_rows_cover_every_type_the_renderer_draws() -> None:
    assert {r.type for r in every_type().rows} == set(TYPES) - {"advanced"}


def test_keys_come_from_the_vietnamese_titles_unique_among_siblings() -> None:
    form = every_type()
    keys = [r.key for r in form.rows]
    assert keys[:3] == ["ho_va_ten", "so_dinh_danh_ca_nhan", "so_dien_thoai"]
    assert len(set(keys)) == len(keys)
    assert field_key("Họ và tên", {"ho_va_ten"}) == "ho_va_ten_2"
    assert field_key("Đường, phố") == "duong_pho"
    assert field_key("2026 năm") == "truong_2026_nam"
    assert field_key("!!!") == "truong"
    assert form_key("Ý kiến thẩm định") == "y-kien-tham-dinh"
    assert len(field_key("Một tiêu đề rất dài " * 10)) <= 40
    # A number added to tell a long key from its sibling keeps it within the bound too.
    long = field_key("Một tiêu đề rất dài " * 10)
    second = field_key("Một tiêu đề rất dài " * 10, {long})
    assert second != long and second.endswith("_2") and len(second) <= 40
    assert field_key("Một tiêu đề rất dài " * 10, {long, second}).endswith("_3")
    # A key prefixed to start with a letter too.
    prefixed = field_key("2026 " + "năm " * 20)
    assert prefixed.startswith("truong_2026_nam") and len(prefixed) <= 40
    assert not prefixed.endswith("_")


def test_every_type_compiles_to_a_schema_the_checks_accept() -> None:
    schema, ui = compile_form(every_type())
    assert schema_problems("thu", {"schema": schema, "ui": ui}) == []
    assert row_problems(every_type().rows) == []
    props = schema["properties"]
    assert props["ngay_cap"]["format"] == "date"
    assert props["thoi_diem_tra"]["format"] == "date-time"
    assert props["ket_luan"]["oneOf"][0] == {"const": "dong_y", "title": "Đồng ý"}
    assert props["loai_ban"]["enum"] == ["Bản chính", "Bản sao"]
    assert props["so_ban"]["default"] == 1
    assert props["so_dinh_danh_ca_nhan"]["pattern"] == "^[0-9]{12}$"
    assert ui["chuyen_vien_thu_ly"] == {"ui:widget": "officer", "ui:options": {"role": "specialist"}}
    assert ui["ket_luan"] == {"ui:widget": "radio"}
    assert ui["y_kien_tham_dinh"] == {"ui:widget": "textarea"}
    # The order is written down: PostgreSQL's JSONB keeps no key order.
    assert ui["ui:order"] == [r.key for r in every_type().rows]
    assert ui["giay_to_kem_theo"]["items"]["ui:order"] == ["ten_giay_to", "so_luong"]
    assert schema["required"] == ["ho_va_ten", "so_ban", "ket_luan", "nguoi_nhan"]


def test_the_renderer_draws_each_type_with_its_control() -> None:
    schema, ui = compile_form(every_type())
    doc = parse_html(render_form(schema, ui, GOOD, officers=lambda role: [
        ("cv.mai", "Phạm Thị Mai")] if role == "specialist" else []))
    kinds = {name: (el.tag, el.get("type")) for name in (
        "data.ho_va_ten", "data.y_kien_tham_dinh", "data.so_ban", "data.ngay_cap",
        "data.thoi_diem_tra", "data.thu_dien_tu", "data.loai_ban", "data.chuyen_vien_thu_ly")
        for el in controls(doc, name)}
    assert kinds == {
        "data.ho_va_ten": ("input", "text"), "data.y_kien_tham_dinh": ("textarea", None),
        "data.so_ban": ("input", "number"), "data.ngay_cap": ("input", "date"),
        "data.thoi_diem_tra": ("input", "datetime-local"),
        "data.thu_dien_tu": ("input", "email"), "data.loai_ban": ("select", None),
        "data.chuyen_vien_thu_ly": ("select", None)}
    assert len(controls(doc, "data.ket_luan")) == 2  # radios
    assert controls(doc, "data.da_doi_chieu_ban_chinh")[0].get("type") == "checkbox"
    assert controls(doc, "data.giay_to_kem_theo[0].ten_giay_to")
    assert controls(doc, "data.nguoi_nhan.ho_va_ten")
    assert controls(doc, "data.can_cu_phap_ly[1]")
    assert controls(doc, "data.ho_va_ten")[0].get("placeholder") == "Nguyễn Văn A"
    blank = parse_html(render_form(schema, ui, None))
    assert controls(blank, "data.so_ban")[0].get("value") == "1"  # its default
    assert "12 chữ số trên thẻ căn cước" in doc.text_content()


def test_good_data_posted_through_the_form_parses_back_and_validates() -> None:
    schema, ui = compile_form(every_type())
    assert validate(GOOD, schema, root="data") == []
    doc = parse_html(render_form(schema, ui, GOOD))
    parsed = parse_form(schema, ui, browser_post(doc))
    assert parsed.problems == []
    expected = {**GOOD, "thoi_diem_tra": "2026-03-02T09:00:00+07:00"}
    assert parsed.data == expected
    assert validate(parsed.data, schema, root="data") == []


def test_bad_data_is_refused_on_the_field_that_is_wrong() -> None:
    schema, ui = compile_form(every_type())
    parsed = parse_form(schema, ui, post(BAD))
    problems = parsed.merge(validate(parsed.data, schema, root="data"))
    assert {p["field"] for p in problems} == BAD_FIELDS
    messages = {p["field"]: p["message"] for p in problems}
    assert messages["data.so_dinh_danh_ca_nhan"] == (
        "Không đúng định dạng: 12 chữ số trên thẻ căn cước")
    assert messages["data.so_ban"] == "Phải nhỏ hơn hoặc bằng 10"
    # Missing required fields, and a number that does not parse, are problems too.
    parsed = parse_form(schema, ui, post({"so_ban": "mười"}))
    fields = {p["field"] for p in parsed.merge(validate(parsed.data, schema, root="data"))}
    assert {"data.ho_va_ten", "data.so_ban", "data.ket_luan"} <= fields


def test_rows_survive_their_json_round_trip() -> None:
    form = every_type()
    again = parse_form_rows(form_json(form))
    assert compile_form(again) == compile_form(form)


def test_what_rows_say_wrongly_is_listed_beside_the_row() -> None:
    rows = [Row("a", "A", "text", min_length=5, max_length=2),
            Row("a", "B", "select"),
            Row("c", "C", "officer"),
            Row("d", "D", "group"),
            Row("e", "E", "radio", options=[Option("X", "x"), Option("Y", "x")]),
            Row("f", "F", "select", options=[Option("X", "x")], default="y"),
            Row("g", "G", "integer", default=1.5),
            Row("h", "H", "boolean", default="có"),
            Row("i", "I", "select", options=[Option("", "x"), Option("Y", " ")])]
    fields = {p["field"] for p in row_problems(rows)}
    assert fields == {"rows[0].min_length", "rows[1].key", "rows[1].options", "rows[2].role",
                      "rows[3].rows", "rows[4].options[1].value", "rows[5].default",
                      "rows[6].default", "rows[7].default", "rows[8].options[0].label",
                      "rows[8].options[1].value"}


def test_a_default_its_own_field_refuses_is_a_problem_of_the_row() -> None:
    # The form would open with a value that its completion then refuses.
    rows = [Row("a", "A", "integer", minimum=1, maximum=10, default=11),
            Row("b", "B", "number", minimum=-1.5, default=-2),
            Row("c", "C", "text", max_length=3, default="abcd"),
            Row("d", "D", "textarea", min_length=5, default="abc"),
            Row("e", "E", "text", pattern="cccd", default="12345"),
            Row("f", "F", "integer", minimum=1, maximum=10, default=10),
            Row("g", "G", "text", pattern="phone", max_length=12, default="0912345678"),
            Row("h", "H", "text", min_length=2, default="")]
    problems = {p["field"]: p["message"] for p in row_problems(rows)}
    assert set(problems) == {f"rows[{i}].default" for i in range(5)}
    assert "lớn hơn giá trị tối đa (10)" in problems["rows[0].default"]
    assert "Số định danh cá nhân" in problems["rows[4].default"]
    # Each refusal is the renderer's too: the compiled field validates the default the same.
    for i, row in enumerate(rows):
        schema, _ = compile_form(FormRows(rows=[row]))
        refused = validate({row.key: row.default} if row.default != "" else {}, schema,
                           root="data")
        assert bool(refused) == (f"rows[{i}].default" in problems), row


def test_a_new_rows_key_is_one_a_title_could_make_and_a_saved_one_stays() -> None:
    rows = [Row("ho ten", "A"), Row("1x", "B"), Row("a.b", "C"), Row("Ten", "D"),
            Row("so_ban_2", "E"), Row("ảnh", "F", locked=True), Row("a.b", "G", locked=True,
                                                                   type="text")]
    problems = [p["field"] for p in row_problems(rows)]
    assert problems == ["rows[0].key", "rows[1].key", "rows[2].key", "rows[3].key",
                        "rows[6].key"]  # the last: the same key as rows[2]

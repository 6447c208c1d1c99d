"""The e-form renderer and parser, widget by widget."""

from __future__ import annotations

import re
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from motcua.forms import ParsedForm, errors_by_field, parse_form, render_form
from motcua.forms.fields import Place
from motcua.forms.ui import normalise_ui
from motcua.forms.widgets import html_pattern
from motcua.schema_errors import validate
from support.forms import (
    REPO,
    SAMPLE_FORMS,
    assert_accessible,
    browser_post,
    controls,
    label_text,
    load,
    parse_html,
    post,
    shown_value,
)

PEOPLE = [("cv.an", "Nguyễn Văn An"), ("cv.binh", "Trần Thị Bình")]

ROWS = {"type": "object", "required": ["thanh_phan"], "properties": {
    "thanh_phan": {"type": "array", "title": "Thành phần", "minItems": 1, "items": {
        "type": "object", "required": ["ten"], "properties": {
            "ten": {"type": "string", "title": "Tên giấy tờ"},
            "so_luong": {"type": "integer", "title": "Số lượng", "default": 1}}}},
    "can_cu": {"type": "array", "title": "Căn cứ", "items": {"type": "string"}}}}


def schema_of(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props}


def test_officer_select_lists_the_role_and_keeps_the_choice() -> None:
    schema, ui = load(REPO / "forms" / "phan-cong.schema.json")
    asked: list[str] = []

    def officers(role: str) -> list[tuple[str, str]]:
        asked.append(role)
        return PEOPLE

    doc = parse_html(render_form(schema, ui, {"assignee": "cv.binh"}, officers=officers))
    assert asked == ["specialist"]
    select = controls(doc, "data.assignee")[0]
    assert select.tag == "select"
    assert [(o.get("value"), o.text) for o in select.xpath("option")] == [
        ("", "— Chọn cán bộ —"), *PEOPLE]
    assert shown_value(select) == "cv.binh"
    assert select.get("required") is not None


def test_officer_no_longer_listed_is_still_shown() -> None:
    schema, ui = load(REPO / "forms" / "phan-cong.schema.json")
    doc = parse_html(render_form(schema, ui, {"assignee": "cv.cu"}, officers=lambda r: PEOPLE))
    assert shown_value(controls(doc, "data.assignee")[0]) == "cv.cu"


def test_officer_without_a_list_is_a_username_input() -> None:
    schema, ui = load(REPO / "forms" / "phan-cong.schema.json")
    doc = parse_html(render_form(schema, ui, {"assignee": "cv.an"}))
    field = controls(doc, "data.assignee")[0]
    assert (field.tag, field.get("type"), field.get("value")) == ("input", "text", "cv.an")


def test_shared_sample_officer_comes_from_x_widget_in_the_schema() -> None:
    schema, ui = load(SAMPLE_FORMS / "phan-cong.schema.json")
    asked: list[str] = []

    def officers(role: str) -> list[tuple[str, str]]:
        asked.append(role)
        return PEOPLE

    doc = parse_html(render_form(schema, ui, None, officers=officers))
    assert asked == ["specialist"]
    assert controls(doc, "data.assignee")[0].tag == "select"


def test_radio_group_has_a_legend_labels_and_keeps_the_choice() -> None:
    schema, ui = load(REPO / "forms" / "don-doc.schema.json")
    doc = parse_html(render_form(schema, ui, {"hinh_thuc": "Văn bản"}))
    radios = controls(doc, "data.hinh_thuc")
    assert [r.get("id") for r in radios] == [f"f-data-hinh_thuc--{i}" for i in range(3)]
    assert [r.get("value") for r in radios if r.get("checked") is not None] == ["Văn bản"]
    assert all(r.get("required") is not None for r in radios)
    assert "Hình thức đôn đốc" in label_text(doc, radios[0])
    assert [doc.xpath("//label[@for=$id]", id=r.get("id", ""))[0].text for r in radios] == [
        "Điện thoại", "Văn bản", "Tin nhắn trên hệ thống"]


def test_select_is_the_default_for_enums_and_maps_back_non_strings() -> None:
    schema = schema_of(muc={"type": "integer", "title": "Mức", "enum": [1, 2, 3]})
    doc = parse_html(render_form(schema, None, {"muc": 2}))
    select = controls(doc, "data.muc")[0]
    assert select.tag == "select" and shown_value(select) == "2"
    assert parse_form(schema, None, post({"muc": 2})).data == {"muc": 2}


def test_const_choices_with_titles_are_an_enum() -> None:
    schema = schema_of(loai={"type": "string", "title": "Loại", "oneOf": [
        {"const": "a", "title": "Loại A"}, {"const": "b", "title": "Loại B"}]})
    doc = parse_html(render_form(schema, {"loai": {"ui:widget": "radio"}}, None))
    assert [doc.xpath("//label[@for=$id]", id=r.get("id", ""))[0].text
            for r in controls(doc, "data.loai")] == ["Loại A", "Loại B"]
    assert parse_form(schema, None, MultiDict([("data.loai", "b")])).data == {"loai": "b"}


@pytest.mark.parametrize(("posted", "expected"), [
    ([("data.dong_y", "false")], {"dong_y": False}),
    ([("data.dong_y", "false"), ("data.dong_y", "true")], {"dong_y": True}),
    ([], {}),
])
def test_checkbox_unchecked_is_false_when_the_form_had_it(
        posted: list[tuple[str, str]], expected: dict[str, Any]) -> None:
    schema = schema_of(dong_y={"type": "boolean", "title": "Đồng ý"})
    assert parse_form(schema, None, MultiDict(posted)).data == expected


def test_checkbox_renders_hidden_false_and_checked_state() -> None:
    schema = schema_of(dong_y={"type": "boolean", "title": "Đồng ý"})
    doc = parse_html(render_form(schema, None, {"dong_y": True}))
    hidden = doc.xpath("//input[@type='hidden'][@name='data.dong_y']")
    box = controls(doc, "data.dong_y")[0]
    assert hidden[0].get("value") == "false"
    assert box.get("type") == "checkbox" and box.get("checked") is not None
    assert list(browser_post(doc).items(multi=True)) == [
        ("data.dong_y", "false"), ("data.dong_y", "true")]


def test_add_row_without_javascript() -> None:
    form = post({"thanh_phan": [{"ten": "Đơn"}, {"ten": "Bản vẽ", "so_luong": 2}]},
                _form_action="add:data.thanh_phan")
    parsed = parse_form(ROWS, None, form)
    assert parsed.action == ("add", "data.thanh_phan")
    assert parsed.data["thanh_phan"] == [{"ten": "Đơn"}, {"ten": "Bản vẽ", "so_luong": 2},
                                         {"so_luong": 1}]
    doc = parse_html(render_form(ROWS, None, parsed.data, raw=parsed.raw))
    assert shown_value(controls(doc, "data.thanh_phan[2].so_luong")[0]) == "1"
    assert shown_value(controls(doc, "data.thanh_phan[1].ten")[0]) == "Bản vẽ"


def test_remove_row_renumbers_rows_and_the_typed_text() -> None:
    rows = [{"ten": "Một"}, {"ten": "Hai"}, {"ten": "Ba", "so_luong": "abc"}]
    form = post({"thanh_phan": rows}, _form_action="remove:data.thanh_phan:0")
    parsed = parse_form(ROWS, None, form)
    assert parsed.action == ("remove", "data.thanh_phan", 0)
    assert parsed.data["thanh_phan"] == [{"ten": "Hai"}, {"ten": "Ba", "so_luong": "abc"}]
    assert parsed.raw["data.thanh_phan[1].so_luong"] == "abc"
    assert parsed.problems == [{"field": "data.thanh_phan[1].so_luong",
                                "message": "Phải là số nguyên"}]
    doc = parse_html(render_form(ROWS, None, parsed.data, raw=parsed.raw))
    assert shown_value(controls(doc, "data.thanh_phan[1].so_luong")[0]) == "abc"
    assert not controls(doc, "data.thanh_phan[2].ten")


def test_list_of_values_adds_removes_and_drops_blank_rows() -> None:
    form = MultiDict([("data.thanh_phan[0].ten", "Đơn"), ("data.can_cu[0]", "Luật A"),
                      ("data.can_cu[1]", " "), ("data.can_cu[2]", "Nghị định B")])
    assert parse_form(ROWS, None, form).data["can_cu"] == ["Luật A", "Nghị định B"]
    form.add("_form_action", "add:data.can_cu")
    assert parse_form(ROWS, None, form).data["can_cu"] == ["Luật A", "Nghị định B", ""]
    form.setlist("_form_action", ["remove:data.can_cu:0"])
    parsed = parse_form(ROWS, None, form)
    assert parsed.data["can_cu"] == ["Nghị định B"]
    doc = parse_html(render_form(ROWS, None, parsed.data, raw=parsed.raw))
    field = controls(doc, "data.can_cu[0]")[0]
    assert shown_value(field) == "Nghị định B"
    assert "Căn cứ, dòng 1" in label_text(doc, field)


def test_row_buttons_submit_without_validation() -> None:
    doc = parse_html(render_form(ROWS, None, {"thanh_phan": [{"ten": "Đơn"}]}))
    add = doc.xpath("//button[@data-form-add]")
    remove = doc.xpath("//button[@data-form-remove]")
    assert [b.get("value") for b in add] == ["add:data.thanh_phan", "add:data.can_cu"]
    assert remove[0].get("value") == "remove:data.thanh_phan:0"
    assert all(b.get("name") == "_form_action" and b.get("type") == "submit"
               and b.get("formnovalidate") is not None for b in add + remove)
    assert "Thêm dòng" in add[0].text_content() and "Xóa dòng" in remove[0].text_content()


def test_template_row_is_the_next_row_with_item_defaults() -> None:
    doc = parse_html(render_form(ROWS, None, {"thanh_phan": [{"ten": "Đơn"}]}))
    template = doc.xpath("//fieldset[@data-path='data.thanh_phan']/template")[0]
    row = template.xpath("li[@data-form-row]")[0]
    assert row.get("data-path") == "data.thanh_phan[1]"
    assert row.xpath(".//input[@name='data.thanh_phan[1].so_luong']")[0].get("value") == "1"


def test_blank_form_has_min_items_rows() -> None:
    doc = parse_html(render_form(ROWS, None, None))
    assert controls(doc, "data.thanh_phan[0].ten")
    assert not controls(doc, "data.can_cu[0]")


def test_action_of_another_form_on_the_page_is_ignored() -> None:
    form = post({"thanh_phan": [{"ten": "Đơn"}]}, _form_action="add:step.thanh_phan")
    assert parse_form(ROWS, None, form).action is None
    assert parse_form(ROWS, None, form, prefix="step").action == ("add", "step.thanh_phan")


def test_nested_objects_use_json_paths_and_show_their_errors() -> None:
    schema, ui = load(REPO / "forms" / "to-khai-cap-giay-phep-xay-dung.schema.json")
    errors = {"data.chu_dau_tu.dien_thoai": ["Không đúng mẫu"],
              "data.ban_ve": ["Cần ít nhất 1 mục"], "data": ["Có trường không được khai báo: x"]}
    doc = parse_html(render_form(schema, ui, {"chu_dau_tu": {"dien_thoai": "12"}}, errors,
                                 raw={"data.chu_dau_tu.dien_thoai": "12"}))
    assert_accessible(doc)
    phone = controls(doc, "data.chu_dau_tu.dien_thoai")[0]
    assert phone.get("id") == "f-data-chu_dau_tu-dien_thoai"
    assert phone.get("pattern") == ".*(?:^(0|\\+84)[0-9]{9,10}$).*"
    assert doc.xpath("//*[@id='f-data-chu_dau_tu-dien_thoai--error']")[0].text_content() == (
        "Lỗi: Không đúng mẫu")
    ban_ve = doc.xpath("//fieldset[@id='f-data-ban_ve']")[0]
    assert "Cần ít nhất 1 mục" in ban_ve.xpath("p[@class='form-error']")[0].text_content()
    summary = doc.xpath("//*[@role='alert']")[0]
    assert [li.text_content() for li in summary.xpath(".//li")] == [
        "Thông tin chủ đầu tư › Số điện thoại: Không đúng mẫu",
        "Danh mục bản vẽ thiết kế nộp kèm: Cần ít nhất 1 mục",
        "Có trường không được khai báo: x"]
    assert [a.get("href") for a in summary.xpath(".//a")] == [
        "#f-data-chu_dau_tu-dien_thoai", "#f-data-ban_ve"]


def test_required_is_enforced_only_when_the_group_is_present() -> None:
    schema = schema_of(nguoi_nhan={"type": "object", "title": "Người nhận",
                                   "required": ["ho_ten"],
                                   "properties": {"ho_ten": {"type": "string"}}})
    doc = parse_html(render_form(schema, None, None))
    field = controls(doc, "data.nguoi_nhan.ho_ten")[0]
    assert field.get("required") is None
    assert "(bắt buộc)" in label_text(doc, field)
    assert parse_form(schema, None, MultiDict([("data.nguoi_nhan.ho_ten", "")])).data == {}


def test_escapes_titles_help_values_and_choices() -> None:
    evil = '<script>alert("x")</script>'
    schema = {"type": "object", "title": evil, "description": evil, "required": [evil],
              "properties": {evil: {"type": "string", "title": evil, "description": evil,
                                    "pattern": "^a$"},
                             "chon": {"type": "string", "enum": [evil, '"><b>']}}}
    errors = {f"data.{evil}": [evil], "data": [evil]}
    markup = render_form(schema, {evil: {"ui:help": evil, "ui:placeholder": evil}},
                         {evil: evil, "chon": evil}, errors, raw={"data.chon": '"><b>'})
    assert "<script" not in markup and "<b>" not in markup
    doc = parse_html(markup)
    assert_accessible(doc)
    field = controls(doc, f"data.{evil}")[0]
    assert field.get("value") == evil and field.get("placeholder") == evil
    assert evil in label_text(doc, field)
    assert shown_value(controls(doc, "data.chon")[0]) == '"><b>'


def test_both_ui_styles_render_the_same() -> None:
    schema, shared = load(SAMPLE_FORMS / "to-khai-ly-lich-tu-phap.schema.json")
    assert shared is not None and "widgets" in shared
    ours: dict[str, Any] = {"ui:order": shared["order"]}
    for key, widget in shared["widgets"].items():
        ours.setdefault(key, {})["ui:widget"] = widget
    for key, text in shared["help"].items():
        ours.setdefault(key, {})["ui:help"] = text
    assert render_form(schema, ours, None) == render_form(schema, shared, None)
    doc = parse_html(render_form(schema, shared, None))
    keys = [re.split(r"[.\[]", el.get("name"))[1]
            for el in doc.xpath("//*[starts-with(@name, 'data.')]")]
    assert list(dict.fromkeys(keys)) == shared["order"]
    assert controls(doc, "data.gioi_tinh")[0].get("type") == "radio"
    assert controls(doc, "data.muc_dich")[0].tag == "textarea"
    assert doc.xpath("//*[@id='f-data-so_dinh_danh--help']")[0].text == (
        "12 chữ số trên thẻ căn cước")


def test_ui_order_and_nested_entries() -> None:
    schema = schema_of(a={"type": "string"}, b={"type": "string"}, c={"type": "object",
                       "properties": {"x": {"type": "string"}, "y": {"type": "string"}}})
    ui = {"ui:order": ["c", "*", "a"], "c": {"ui:order": ["y"], "x": {"ui:widget": "textarea"}}}
    doc = parse_html(render_form(schema, ui, None))
    assert [el.get("name") for el in doc.xpath("//input | //textarea")] == [
        "data.c.y", "data.c.x", "data.b", "data.a"]
    shared = normalise_ui(schema, {"widgets": {"c.x": "textarea"}, "help": {"c.y": "?"}})
    assert shared.child("c").child("x").widget == "textarea"
    assert shared.child("c").child("y").help == "?"


def test_row_entries_in_either_style_reach_the_row_fields() -> None:
    schema, ui = load(REPO / "forms" / "to-khai-cap-giay-phep-xay-dung.schema.json")
    assert normalise_ui(schema, ui).child("ban_ve").item().child("ty_le").placeholder == "1:100"
    shared = normalise_ui(schema, {"widgets": {"ban_ve.ten": "textarea"}})
    assert shared.child("ban_ve").item().child("ten").widget == "textarea"


def test_numbers_parse_with_vietnamese_messages() -> None:
    schema = schema_of(n={"type": "integer"}, x={"type": "number"})
    cases = {"12": 12, " 7 ": 7, "1.5": "1.5"}
    for text, expected in cases.items():
        parsed = parse_form(schema, None, MultiDict([("data.n", text)]))
        assert parsed.data == {"n": expected}
    assert parse_form(schema, None, MultiDict([("data.n", "1.5")])).problems == [
        {"field": "data.n", "message": "Phải là số nguyên"}]
    assert parse_form(schema, None, MultiDict([("data.x", "12,5")])).data == {"x": 12.5}
    assert parse_form(schema, None, MultiDict([("data.x", "2.0")])).data == {"x": 2.0}
    bad = parse_form(schema, None, MultiDict([("data.x", "nan")]))
    assert bad.problems == [{"field": "data.x", "message": "Phải là số"}]
    assert bad.raw == {"data.x": "nan"}
    field = controls(parse_html(render_form(schema, None, bad.data, raw=bad.raw)), "data.x")[0]
    assert (field.get("type"), field.get("inputmode"), field.get("value")) == (
        "text", "decimal", "nan")


def test_number_input_attributes() -> None:
    schema = schema_of(n={"type": "integer", "minimum": 1, "maximum": 9},
                       x={"type": "number", "exclusiveMinimum": 0},
                       k={"type": "integer", "exclusiveMinimum": 0})
    doc = parse_html(render_form(schema, None, None))
    n, x, k = (controls(doc, f"data.{key}")[0] for key in "nxk")
    assert (n.get("type"), n.get("step"), n.get("min"), n.get("max")) == ("number", "1", "1",
                                                                           "9")
    assert (x.get("step"), x.get("min")) == ("any", None)
    assert k.get("min") == "1"


def test_string_inputs_by_format_and_length() -> None:
    schema = schema_of(d={"type": "string", "format": "date"},
                       e={"type": "string", "format": "email"},
                       t={"type": "string", "minLength": 2, "maxLength": 5},
                       w={"type": "string", "format": "date-time"})
    doc = parse_html(render_form(schema, None, {"w": "2026-03-02T02:00:00Z"}))
    d, e, t, w = (controls(doc, f"data.{key}")[0] for key in "detw")
    assert (d.get("type"), e.get("type"), w.get("type")) == ("date", "email", "datetime-local")
    assert (t.get("minlength"), t.get("maxlength")) == ("2", "5")
    assert w.get("value") == "2026-03-02T09:00"
    parsed = parse_form(schema, None, MultiDict([("data.w", "2026-03-02T09:00")]))
    assert parsed.data == {"w": "2026-03-02T09:00:00+07:00"}


def test_help_text_is_linked_with_aria_describedby() -> None:
    schema, ui = load(REPO / "forms" / "phan-cong.schema.json")
    doc = parse_html(render_form(schema, ui, None))
    field = controls(doc, "data.assignee")[0]
    assert field.get("aria-describedby") == "f-data-assignee--help"
    assert doc.xpath("//*[@id='f-data-assignee--help']")[0].text == (
        "Tài khoản của chuyên viên được giao xử lý bước tiếp theo")


def test_textarea_keeps_a_leading_newline_and_normalises_line_ends() -> None:
    schema = schema_of(t={"type": "string"})
    markup = render_form(schema, {"t": {"ui:widget": "textarea"}}, {"t": "\nđoạn 1\nđoạn 2"})
    assert "<textarea" in markup and ">\n\nđoạn 1" in markup
    parsed = parse_form(schema, None, MultiDict([("data.t", "dòng 1\r\ndòng 2  ")]))
    assert parsed.data == {"t": "dòng 1\ndòng 2"}


def test_unsupported_constructs_become_a_json_textarea() -> None:
    schema = {"type": "object", "$defs": {"s": {"type": "string"}}, "properties": {
        "ref": {"$ref": "#/$defs/s", "title": "Tham chiếu"},
        "mot_trong": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        "tu_do": {"type": "object"}}}
    doc = parse_html(render_form(schema, None, {"tu_do": {"a": [1]}}))
    assert_accessible(doc)
    fields = [controls(doc, f"data.{k}")[0] for k in ("ref", "mot_trong", "tu_do")]
    assert all(f.tag == "textarea" and "form-json" in f.get("class", "") for f in fields)
    assert (shown_value(fields[2]) or "").replace(" ", "").replace("\n", "") == '{"a":[1]}'
    assert "Nhập dữ liệu dạng JSON." in doc.text_content()
    parsed = parse_form(schema, None, MultiDict([("data.ref", '"x"'), ("data.mot_trong", "5"),
                                                 ("data.tu_do", "{oops")]))
    assert parsed.data == {"ref": "x", "mot_trong": 5, "tu_do": "{oops"}
    assert parsed.problems == [{"field": "data.tu_do", "message": "Phải là dữ liệu JSON hợp lệ"}]


def test_merge_keeps_parse_problems_and_drops_their_echo() -> None:
    schema = {"type": "object", "required": ["n", "s"],
              "properties": {"n": {"type": "integer"}, "s": {"type": "string"}}}
    parsed = parse_form(schema, None, MultiDict([("data.n", "abc")]))
    problems = parsed.merge(validate(parsed.data, schema, root="data"))
    assert errors_by_field(problems) == {"data.n": ["Phải là số nguyên"],
                                         "data.s": ["Thiếu trường bắt buộc: s"]}


def test_errors_by_field_groups_in_order_without_repeats() -> None:
    problems = [{"field": "data.a", "message": "m1"}, {"field": "data.b", "message": "m2"},
                {"field": "data.a", "message": "m3"}, {"field": "data.a", "message": "m1"}]
    assert errors_by_field(problems) == {"data.a": ["m1", "m3"], "data.b": ["m2"]}


def test_empty_strings_are_left_out_so_required_fires() -> None:
    schema, ui = load(REPO / "forms" / "tham-dinh.schema.json")
    parsed = parse_form(schema, ui, MultiDict([("data.y_kien", "  "),
                                               ("data.du_thao_trich_yeu", "")]))
    assert parsed == ParsedForm(data={}, problems=[], raw={"data.y_kien": "  ",
                                                           "data.du_thao_trich_yeu": ""})
    assert validate(parsed.data, schema, root="data") == [
        {"field": "data.y_kien", "message": "Thiếu trường bắt buộc: "
         + schema["properties"]["y_kien"]["title"]}]


def test_ids_are_safe_and_distinct_for_any_key() -> None:
    assert Place("data", ("họ tên", 0, "a-b")).id == "f-data-h.1ecd..20.t.ea.n-0-a.2d.b"
    assert Place("data", ("a", "b")).id != Place("data", ("a.b",)).id
    schema = schema_of(**{"họ tên": {"type": "string"}, "help": {"type": "string"}})
    assert_accessible(parse_html(render_form(schema, None, None)))


def test_html_pattern_matches_json_schema_search_semantics() -> None:
    assert html_pattern("^[0-9]{12}$") == "^[0-9]{12}$"
    assert html_pattern("[0-9]") == ".*(?:[0-9]).*"
    assert html_pattern("^a|b$") == ".*(?:^a|b$).*"


def test_required_marker_note_and_description() -> None:
    schema, ui = load(REPO / "forms" / "nhan-bo-sung.schema.json")
    doc = parse_html(render_form(schema, ui, None))
    assert doc.xpath("//p[@class='form-note']")[0].text == "Các trường có dấu * là bắt buộc."
    assert doc.xpath("//p[@class='form-description']")[0].text.startswith("Ghi các giấy tờ")
    assert not doc.xpath("//*[@role='alert']")

"""The comparison itself, on the checks' base scenario changed one thing at a time (no
database): timers, gateways, outcomes' labels, removal and order, lanes, the process, the
default flow, and each attribute of a form's field as the renderer reads it."""

from __future__ import annotations

import copy
from typing import Any

from motcua.design.diffs.compare import compare
from motcua.design.diffs.read import read
from support.bpmn import BASE, FORMS, variant


def changes(new: str, forms: Any = None, old: str = BASE,
            old_forms: Any = None) -> list[dict[str, Any]]:
    before = read(old, "old.bpmn", old_forms if old_forms is not None else FORMS)
    after = read(new, "new.bpmn", forms if forms is not None else FORMS)
    return [c.as_dict() for c in compare(before, after)]


def one(found: list[dict[str, Any]], **expected: Any) -> dict[str, Any]:
    hits = [c for c in found if all(c.get(k) == v for k, v in expected.items())]
    assert len(hits) == 1, (expected, found)
    return hits[0]


def test_the_same_file_has_no_change() -> None:
    assert changes(BASE) == []


def test_a_timer_its_moment_and_whether_it_cancels_the_step() -> None:
    found = changes(variant(("<bpmn:timeDate>due_step</bpmn:timeDate>",
                             "<bpmn:timeDate>due_dossier</bpmn:timeDate>"),
                            ('cancelActivity="false"', 'cancelActivity="true"')))
    timer = one(found, element_id="Timer_Examine", field="timer")
    assert (timer["old"], timer["new"]) == ("due_step", "due_dossier")
    assert "khi hồ sơ đến hạn trả kết quả" in timer["message"]
    assert one(found, element_id="Timer_Examine", field="interrupting")["new"] is True


def test_a_gateway_of_another_kind() -> None:
    found = changes(variant(
        ('<bpmn:exclusiveGateway id="Gw_Examine" name="Đề xuất">',
         '<bpmn:inclusiveGateway id="Gw_Examine" name="Đề xuất">'),
        ("    </bpmn:exclusiveGateway>\n    <bpmn:userTask id=\"Task_Sign\"",
         "    </bpmn:inclusiveGateway>\n    <bpmn:userTask id=\"Task_Sign\"")))
    tag = one(found, element_id="Gw_Examine", field="tag")
    assert (tag["old"], tag["new"]) == ("exclusiveGateway", "inclusiveGateway")


def test_outcomes_relabelled_removed_and_reordered() -> None:
    found = changes(variant(('value="approve=Đề xuất duyệt;back=Trả lại"',
                             'value="back=Trả lại để làm lại;approve=Đề xuất duyệt"'),
                            ('value="accept=Tiếp nhận;refuse=Từ chối"',
                             'value="accept=Tiếp nhận"')))
    label = one(found, element_id="Task_Examine", field="outcomes.back.label")
    assert (label["old"], label["new"]) == ("Trả lại", "Trả lại để làm lại")
    one(found, element_id="Task_Examine", field="outcomes.order")
    gone = one(found, element_id="Task_Receive", kind="removed", field="outcomes.refuse")
    assert gone["old"]["label"] == "Từ chối" and gone["new"] is None


def test_the_process_and_a_lane() -> None:
    start = BASE.index('<bpmn:lane id="Lane_Leader"')
    end = BASE.index("</bpmn:lane>", start) + len("</bpmn:lane>")
    without_lane = BASE[:start] + BASE[end:]
    found = changes(without_lane.replace('name="Thủ tục mẫu"', 'name="Thủ tục mẫu (mới)"', 1))
    name = one(found, element_id="Process_Base", field="process_name")
    assert (name["old"], name["new"]) == ("Thủ tục mẫu", "Thủ tục mẫu (mới)")
    lane = one(found, element_id="Lane_Leader", kind="removed")
    assert lane["element_kind"] == "lane" and "Lãnh đạo cơ quan" in lane["message"]
    back = changes(BASE, old=without_lane)
    one(back, element_id="Lane_Leader", kind="added")


def test_an_unreadable_side_makes_every_step_of_the_other_new() -> None:
    found = changes(BASE, old="not xml")
    steps = [c for c in found if c["element_kind"] == "step"]
    assert steps and all(c["kind"] == "added" and "field" not in c for c in steps)


def test_each_attribute_of_a_field_as_the_renderer_reads_it() -> None:
    old = copy.deepcopy(FORMS)
    schema = old["to-khai"]["schema"]
    schema["properties"]["loai"] = {"type": "string", "title": "Loại",
                                    "enum": ["Một", "Hai"]}
    schema["properties"]["so"] = {"type": "integer", "title": "Số bản", "maximum": 5}
    new = copy.deepcopy(old)
    fields = new["to-khai"]["schema"]["properties"]
    fields["ho_ten"]["title"] = "Họ, chữ đệm và tên"
    fields["loai"]["enum"] = ["Một", "Hai", "Ba"]
    fields["so"]["maximum"] = 10
    fields["ghi_chu"] = {"type": "string", "title": "Ghi chú"}
    new["to-khai"]["ui"] = {"order": ["ho_ten"], "widgets": {"ghi_chu": "textarea"},
                            "help": {"ho_ten": "Như trên căn cước"}}
    found = changes(BASE, forms=new, old_forms=old)
    title = one(found, form="to-khai", field="fields.ho_ten.title")
    assert (title["old"], title["new"]) == ("Họ và tên", "Họ, chữ đệm và tên")
    assert title["element_id"] == "Start_Submit" and title["elements"] == ["Start_Submit"]
    options = one(found, form="to-khai", field="fields.loai.options")
    assert [label for _, label in options["new"]] == ["Một", "Hai", "Ba"]
    limits = one(found, form="to-khai", field="fields.so.limits")
    assert limits["new"] == {"maximum": 10}
    # In the designer's words, not JSON Schema's keywords.
    assert "lớn nhất 5" in limits["message"] and "lớn nhất 10" in limits["message"]
    assert "maximum" not in limits["message"]
    assert one(found, form="to-khai", field="fields.ho_ten.help")["new"] == "Như trên căn cước"
    added = one(found, form="to-khai", kind="added", field="fields.ghi_chu")
    assert added["new"]["type"] == "textarea" and "đoạn văn" in added["message"]


def test_a_steps_document_form_and_declared_fields() -> None:
    found = changes(variant(
        ('<spiffworkflow:property name="form" value="tham-dinh"/>',
         '<spiffworkflow:property name="form" value="phan-cong"/>'
         '<spiffworkflow:property name="document" value="result"/>'
         '<spiffworkflow:property name="assignee_field" value="nguoi_xu_ly"/>')))
    form = one(found, element_id="Task_Examine", field="form")
    assert (form["old"], form["new"]) == ("tham-dinh", "phan-cong")
    document = one(found, element_id="Task_Examine", field="document")
    assert document["new"] == "result" and "Kết quả giải quyết" in document["message"]
    assert one(found, element_id="Task_Examine", field="assignee_field")["new"] == "nguoi_xu_ly"


def test_a_lane_whose_id_changed_keeps_its_steps() -> None:
    # What the modeler does when the lane's id is edited: every reference follows.
    renamed = BASE.replace('"Lane_Desk"', '"Lane_MotCua"')
    assert renamed != BASE
    assert changes(renamed) == []
    moved = renamed.replace('<spiffworkflow:property name="role" value="receiver"/>',
                            '<spiffworkflow:property name="role" value="clerk"/>', 1)
    found = changes(moved)
    role = one(found, element_kind="lane", field="role")
    # Marked on the older diagram under the id it has there.
    assert (role["element_id"], role["old_element_id"]) == ("Lane_MotCua", "Lane_Desk")
    assert not [c for c in found if c.get("field") == "lane"]


def test_a_change_of_a_node_or_flow_whose_id_changed_names_its_older_id() -> None:
    renamed = BASE.replace('"Timer_Examine"', '"Timer_QuaHan"').replace(
        ">Timer_Examine<", ">Timer_QuaHan<").replace('"Flow_Late"', '"Flow_QuaHan"')
    found = changes(variant(('cancelActivity="false"', 'cancelActivity="true"'),
                            ('id="Flow_QuaHan"', 'id="Flow_QuaHan" name="Nhắc hạn"'),
                            text=renamed))
    timer = one(found, field="interrupting")
    assert (timer["element_id"], timer["old_element_id"]) == ("Timer_QuaHan", "Timer_Examine")
    flow = one(found, field="name", element_kind="flow")
    assert (flow["element_id"], flow["old_element_id"]) == ("Flow_QuaHan", "Flow_Late")
    assert len(found) == 2, found

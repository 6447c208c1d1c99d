"""Diffs between two versions of a procedure: every kind of change a designer makes is
listed once, in Vietnamese, with the values before and after; a step whose id changed but
carries the same decision row is "changed", not removed and added."""

from __future__ import annotations

from diff_support import Designer, assert_seeded, seed_changes


def test_two_versions_differ_by_every_kind_of_change(designer: Designer) -> None:
    draft = designer.generated()
    before = designer.publish(draft)
    copied = designer.copy(before)
    bpmn, forms, done = seed_changes(copied["bpmn"], copied["forms"])
    edited = designer.save(copied, bpmn=bpmn, forms=forms)
    errors = [p for p in edited["problems"] if p["severity"] == "error"]
    assert errors == []
    after = designer.publish(edited)

    response = designer.diff(f"/processes/{after}/diff?against={before}")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["from"]["id"], body["to"]["id"]) == (before, after)
    assert_seeded(body["changes"], done)

    back = designer.changes(f"/processes/{before}/diff?against={after}")
    assert {(c["element_id"], c["kind"]) for c in back
            if "field" not in c and c["element_kind"] == "step"} == {
        (done["added"], "removed"), (done["removed"], "added")}


def test_a_version_against_itself_has_no_change(designer: Designer) -> None:
    version = designer.publish(designer.generated())
    assert designer.changes(f"/processes/{version}/diff?against={version}") == []

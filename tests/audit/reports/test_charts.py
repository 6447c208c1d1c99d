"""The server-drawn SVG charts: well-formed, labelled for screen readers, every label
escaped, sizes proportional to the figures, series told apart without colour; and the macro
that shows each chart with its data table."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

from flask import Flask, render_template_string
from pypdf import PdfReader

from motcua.audit.charts import bar_chart, line_chart, line_rows, number, share_chart, shares
from motcua.documents.pdf import render_pdf

SVG = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert("x")</script>&'


def _tree(markup: str) -> ET.Element:
    # Our own output; parsing raises on anything not well-formed XML.
    return ET.fromstring(str(markup))  # noqa: S314


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_numbers_are_written_the_vietnamese_way() -> None:
    assert number(1234567) == "1.234.567"
    assert number(85.46, "%") == "85,5%"
    assert number(3.0, "ngày") == "3 ngày"
    assert number(None) == "—"
    assert number(float("nan")) == "—"


def test_every_chart_is_an_accessible_image_with_its_title() -> None:
    charts = [bar_chart("Xếp hạng", [("Sở A", 3)]),
              line_chart("Xu hướng", {"Tiếp nhận": [("01/2026", 1)]}),
              share_chart("Tỷ lệ", [("Đúng hạn", 1, "on_time")])]
    for markup, title in zip(charts, ("Xếp hạng", "Xu hướng", "Tỷ lệ"), strict=True):
        root = _tree(markup)
        assert root.get("role") == "img"
        assert root.get("aria-label") == title
        assert root.find(f"{SVG}title") is not None
        assert root.find(f"{SVG}title").text == title  # type: ignore[union-attr]
        assert (root.get("viewBox") or "").startswith("0 0 640 ")
        assert root.get("width") == "100%"


def test_labels_and_titles_are_escaped() -> None:
    for markup in (bar_chart(EVIL, [(EVIL, 1)]), line_chart(EVIL, {EVIL: [(EVIL, 2)]}),
                   share_chart(EVIL, [(EVIL, 1, EVIL)])):
        assert "<script>" not in markup
        root = _tree(markup)  # an unescaped quote or & would break the XML
        assert root.get("aria-label") == EVIL
        assert list(root.iter(f"{SVG}script")) == []


def test_bars_are_proportional_and_a_percentage_is_drawn_against_100() -> None:
    root = _tree(bar_chart("Đúng hạn", [("A", 50), ("B", 25)], unit="%"))
    widths = [float(r.get("width", "0")) for r in root.iter(f"{SVG}rect")]
    assert widths == [165.0, 82.5]  # 330 px is 100 %
    assert "50%" in _texts(root) and "25%" in _texts(root)
    counts = _tree(bar_chart("Tiếp nhận", [("A", 40), ("B", 10)]))
    assert [float(r.get("width", "0")) for r in counts.iter(f"{SVG}rect")] == [330.0, 82.5]


def test_a_long_label_is_cut_on_the_chart_but_kept_whole_in_its_tooltip() -> None:
    name = "Ủy ban nhân dân xã Phước Long Đông thuộc huyện rất dài tên"
    root = _tree(bar_chart("X", [(name, 1)]))
    assert any(t.endswith("…") and len(t) <= 34 for t in _texts(root))
    assert any(name in (t.text or "") for t in root.iter(f"{SVG}title"))


def test_an_empty_chart_says_so() -> None:
    for markup in (bar_chart("X", []), line_chart("X", {}), share_chart("X", [("A", 0, "late")])):
        assert "Chưa có số liệu" in _texts(_tree(markup))


def test_line_series_differ_by_dash_and_marker_and_a_gap_breaks_the_line() -> None:
    root = _tree(line_chart("Theo tháng", {
        "Tiếp nhận": [("01/2026", 4), ("02/2026", 8), ("03/2026", 6)],
        "Trễ hạn": [("01/2026", 1), ("02/2026", None), ("03/2026", 2)],  # type: ignore[list-item]
    }))
    lines = list(root.iter(f"{SVG}polyline"))
    # The first series is one line of three points; the second has no segment of two points.
    assert len(lines) == 1 and len(lines[0].get("points", "").split()) == 3
    legend_dashes = {el.get("stroke-dasharray") for el in root.iter(f"{SVG}line")
                     if el.get("stroke-width") == "2.5"}
    assert legend_dashes == {None, "7 4"}
    assert len(list(root.iter(f"{SVG}circle"))) == 1 + 3  # legend + points of series 1
    assert len([r for r in root.iter(f"{SVG}rect")]) == 1 + 2  # square markers of series 2
    texts = _texts(root)
    assert {"01/2026", "02/2026", "03/2026"} <= set(texts)
    assert line_rows({"a": [("01", 1), ("02", 2)], "b": [("02", 5)]}) == [
        ("01", [1, None]), ("02", [2, 5])]


def test_share_parts_have_patterns_and_their_percentages() -> None:
    parts = [("Trước hạn", 1, "early"), ("Đúng hạn", 2, "on_time"), ("Trễ hạn", 1, "late")]
    root = _tree(share_chart("Kết quả", parts))
    texts = _texts(root)
    assert "Trước hạn: 1 (25%)" in texts and "Đúng hạn: 2 (50%)" in texts
    patterns = {p.get("id") or "" for p in root.iter(f"{SVG}pattern")}
    fills = {r.get("fill") for r in root.iter(f"{SVG}rect")}
    assert {f"url(#{p})" for p in patterns if not p.startswith("cross")} <= fills
    # Another chart on the same page does not reuse this one's pattern ids.
    other = _tree(share_chart("Kết quả năm", parts))
    assert patterns.isdisjoint({p.get("id") for p in other.iter(f"{SVG}pattern")})
    assert shares(parts) == [("Trước hạn", 1, 25.0), ("Đúng hạn", 2, 50.0), ("Trễ hạn", 1, 25.0)]
    assert shares([("A", 0, "late")]) == [("A", 0, None)]


def test_the_macro_shows_each_chart_with_its_data_table(app: Flask) -> None:
    page = render_template_string(
        '{% import "audit/_charts.html" as charts %}'
        '{{ charts.bar(title, [(name, 92.5)], unit="%", label="Cơ quan") }}'
        '{{ charts.line("Theo tháng", {"Tiếp nhận": [("01/2026", 1200)]}) }}'
        '{{ charts.share("Kết quả", [("Trễ hạn", 1, "late"), ("Đúng hạn", 3, "on_time")]) }}',
        title="Xếp hạng <b>", name=EVIL)
    assert page.count("<figure") == 3 and page.count("<svg") == 3
    assert page.count('class="chart-data') == 3
    assert "<script>" not in page and "Xếp hạng &lt;b&gt;" in page
    assert "<td class=\"num\">92,5%</td>" in page
    assert "<td class=\"num\">1.200</td>" in page
    assert "<td class=\"num\">75%</td>" in page


def test_charts_render_in_a_pdf() -> None:
    charts = (bar_chart("Xếp hạng", [("Sở A", 90)], "%"),
              share_chart("Kết quả", [("Đúng hạn", 3, "on_time"), ("Trễ hạn", 1, "late")]),
              line_chart("Theo tháng", {"Tiếp nhận": [("01/2026", 1), ("02/2026", 3)]}))
    pdf = render_pdf("<!doctype html><html><body>" + "".join(map(str, charts))
                     + "</body></html>")
    assert pdf.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for drawn in ("Sở A", "90%", "Đúng hạn: 3 (75%)", "Tiếp nhận", "02/2026"):
        assert drawn in text

"""Charts drawn on the server as SVG, so that a page shows them without JavaScript and a
WeasyPrint PDF prints them: horizontal bars (the ranking of agencies), lines (a trend per
month, several series) and one stacked 100 % bar (the early / on-time / late share).

Every label is escaped (they are agency and procedure names, i.e. data). Each chart carries
``role="img"``, a ``<title>`` and an ``aria-label``, has a fixed ``viewBox`` so it scales to
its column, and tells its series apart by pattern, dash and marker as well as by colour, with
the values written beside them, so that a copy printed in grey still reads. Presentation is
written as SVG attributes, not CSS classes, because the PDF renderer gets no stylesheet. The
caller shows the data table beside every chart (``audit/_charts.html``)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence

from markupsafe import Markup, escape

WIDTH = 640
FONT = 'font-family="Noto Sans, DejaVu Sans, Arial, sans-serif"'
INK, GRID, MUTED = "#1d1d1f", "#d5dbe3", "#5b6470"
EMPTY = "Chưa có số liệu"

# The share chart's parts: a colour and a pattern over it (for grey print) per key.
PALETTE: dict[str, tuple[str, str]] = {
    "early": ("#1e6b34", "solid"),
    "on_time": ("#0b4f9c", "hatch"),
    "late": ("#b3261e", "dots"),
    "open": ("#8a5a00", "cross"),
    "other": ("#8e99a8", "solid"),
}
# The line chart's series, in order: colour, dash pattern, marker shape. The reports draw
# received, handled, late: red is the third's, as late is red in the share chart.
SERIES_STYLES: tuple[tuple[str, str, str], ...] = (
    ("#0b4f9c", "", "circle"),
    ("#1e6b34", "7 4", "square"),
    ("#b3261e", "2 3", "triangle"),
    ("#8a5a00", "9 3 2 3", "diamond"),
    ("#5b6470", "4 2", "circle"),
)


def number(value: float | None, unit: str = "") -> str:
    """A figure as officers write it: "1.234", "85,5 %" (dot for thousands, comma for
    decimals, one decimal at most)."""
    if value is None or not math.isfinite(value):
        return "—"
    rounded = round(float(value), 1)
    whole = rounded.is_integer()
    text = f"{rounded:,.0f}" if whole else f"{rounded:,.1f}"
    text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def bar_chart(title: str, items: Sequence[tuple[str, float]], unit: str = "") -> Markup:
    """One horizontal bar per item, in the order given, its value written at its end. A
    percentage is drawn against 100 so that ranks compare across periods."""
    row, top, label_w, bar_w = 26, 34, 232, 330
    height = top + max(len(items), 1) * row + 8
    values = [_finite(v) for _, v in items]
    peak = max([v for v in values if v is not None] + [0.0])
    if unit == "%":
        peak = max(peak, 100.0)
    parts = [_open(title, height), _heading(title)]
    if not items:
        parts.append(_empty_note(top + 18))
    for index, ((label, _), value) in enumerate(zip(items, values, strict=True)):
        y = top + index * row
        width = 0.0 if not value or peak <= 0 else max(value, 0.0) / peak * bar_w
        parts.append(
            f'<g><title>{escape(label)}: {escape(number(value, unit))}</title>'
            f'<text x="{label_w - 8}" y="{y + 13}" text-anchor="end" font-size="13" '
            f'fill="{INK}">{escape(_cut(label, 34))}</text>'
            f'<rect x="{label_w}" y="{y + 1}" width="{width:.1f}" height="16" '
            f'fill="#0b4f9c"/>'
            f'<text x="{label_w + width + 6:.1f}" y="{y + 13}" font-size="13" '
            f'fill="{INK}">{escape(number(value, unit))}</text></g>')
    parts.append(f'<line x1="{label_w}" y1="{top - 4}" x2="{label_w}" '
                 f'y2="{top + max(len(items), 1) * row - 6}" stroke="{MUTED}"/>')
    return _close(parts)


def line_chart(title: str, series: dict[str, list[tuple[str, float]]]) -> Markup:
    """One line per series over the same x labels (months, in the order first met), each
    with its own dash and marker shape and a legend above the plot."""
    labels = _x_labels(series.values())
    names = list(series)
    legend_rows = -(-len(names) // 3) if names else 0
    left, right = 60, WIDTH - 34
    top = 34 + legend_rows * 20 + 8
    bottom = top + 180
    height = bottom + 34
    values = [_finite(v) for points in series.values() for _, v in points]
    peak = max([v for v in values if v is not None] + [0.0])
    step = _nice_step(peak)
    y_max = step * max(1, math.ceil(peak / step)) if peak > 0 else 4 * step
    parts = [_open(title, height), _heading(title)]
    for index, name in enumerate(names):
        colour, dash, marker = SERIES_STYLES[index % len(SERIES_STYLES)]
        lx, ly = 16 + (index % 3) * 204, 34 + (index // 3) * 20
        parts.append(
            f'<g><line x1="{lx}" y1="{ly + 6}" x2="{lx + 28}" y2="{ly + 6}" stroke="{colour}" '
            f'stroke-width="2.5"{_dash(dash)}/>{_marker(marker, lx + 14, ly + 6, colour)}'
            f'<text x="{lx + 34}" y="{ly + 10}" font-size="13" fill="{INK}">'
            f'{escape(_cut(name, 26))}</text></g>')
    ticks = round(y_max / step)
    for tick in range(ticks + 1):
        value = tick * step
        ty = bottom - value / y_max * (bottom - top)
        parts.append(f'<line x1="{left}" y1="{ty:.1f}" x2="{right}" y2="{ty:.1f}" '
                     f'stroke="{GRID}"/><text x="{left - 6}" y="{ty + 4:.1f}" '
                     f'text-anchor="end" font-size="12" fill="{MUTED}">'
                     f'{escape(number(value))}</text>')
    if not labels:
        parts.append(_empty_note((top + bottom) // 2))
    spacing = (right - left) / max(len(labels) - 1, 1)
    position = {label: left + (i * spacing if len(labels) > 1 else (right - left) / 2)
                for i, label in enumerate(labels)}
    every = max(1, math.ceil(len(labels) / 12))
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(f'<text x="{position[label]:.1f}" y="{bottom + 18}" '
                         f'text-anchor="middle" font-size="11" fill="{MUTED}">'
                         f'{escape(_cut(label, 10))}</text>')
    for index, (name, points) in enumerate(series.items()):
        colour, dash, marker = SERIES_STYLES[index % len(SERIES_STYLES)]
        coords = [(position[label], _finite(v)) for label, v in points]
        segment: list[str] = []
        drawn: list[str] = []
        for x, v in [*coords, (0.0, None)]:
            if v is None:
                if len(segment) > 1:
                    drawn.append(f'<polyline points="{" ".join(segment)}" fill="none" '
                                 f'stroke="{colour}" stroke-width="2.5"{_dash(dash)}/>')
                segment = []
                continue
            segment.append(f"{x:.1f},{bottom - max(v, 0.0) / y_max * (bottom - top):.1f}")
        for (label, v), (x, fv) in zip(points, coords, strict=True):
            if fv is not None:
                py = bottom - max(fv, 0.0) / y_max * (bottom - top)
                drawn.append(f'<g><title>{escape(name)}, {escape(label)}: '
                             f'{escape(number(v))}</title>{_marker(marker, x, py, colour)}</g>')
        parts.append(f'<g>{"".join(drawn)}</g>')
    parts.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" '
                 f'stroke="{MUTED}"/>')
    return _close(parts)


def share_chart(title: str, parts: Sequence[tuple[str, float, str]]) -> Markup:
    """One bar split into the parts' shares of their sum, each filled with its key's colour
    and pattern (``PALETTE``; an unknown key is grey); a legend below gives each part's count
    and percentage."""
    uid = _uid(title, parts)
    values = [max(_finite(v) or 0.0, 0.0) for _, v, _ in parts]
    total = sum(values)
    legend_top = 84
    height = legend_top + max(len(parts), 1) * 22 + 4
    svg = [_open(title, height), _heading(title), _patterns(uid)]
    x = 16.0
    span = WIDTH - 32
    if total <= 0:
        svg.append(f'<rect x="16" y="34" width="{span}" height="34" fill="none" '
                   f'stroke="{MUTED}"/>')
        svg.append(_empty_note(56))
    for (label, _, key), value in zip(parts, values, strict=True):
        share = value / total * 100 if total > 0 else 0.0
        width = value / total * span if total > 0 else 0.0
        caption = f"{label}: {number(value)} ({number(share, '%')})"
        if width > 0:
            svg.append(f'<g><title>{escape(caption)}</title>{_swatch(uid, key, x, 34, width, 34)}'
                       f'</g>')
        x += width
    for index, ((label, _, key), value) in enumerate(zip(parts, values, strict=True)):
        share = value / total * 100 if total > 0 else 0.0
        y = legend_top + index * 22
        svg.append(f'<g>{_swatch(uid, key, 16, y, 22, 14)}<text x="46" y="{y + 12}" '
                   f'font-size="13" fill="{INK}">{escape(_cut(label, 40))}: '
                   f'{escape(number(value))} ({escape(number(share, "%"))})</text></g>')
    return _close(svg)


def _open(title: str, height: int) -> str:
    label = escape(title)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'aria-label="{label}" viewBox="0 0 {WIDTH} {height}" width="100%" '
            f'preserveAspectRatio="xMinYMin meet" {FONT}><title>{label}</title>')


def _close(parts: list[str]) -> Markup:
    # Every piece of text above went through escape(); the rest is our own markup.
    return Markup("".join(parts) + "</svg>")  # noqa: S704


def _heading(title: str) -> str:
    return (f'<text x="16" y="20" font-size="15" font-weight="bold" fill="{INK}">'
            f'{escape(_cut(title, 80))}</text>')


def _empty_note(y: int) -> str:
    return (f'<text x="{WIDTH // 2}" y="{y}" text-anchor="middle" font-size="12" '
            f'fill="{MUTED}">{EMPTY}</text>')


def _patterns(uid: str) -> str:
    """White strokes over a part's colour: hatch, dots, cross (ids unique per chart so that
    several charts on one page do not share definitions)."""
    return (f'<defs><pattern id="hatch-{uid}" width="8" height="8" '
            f'patternUnits="userSpaceOnUse"><path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" '
            f'stroke="#fff" stroke-width="2"/></pattern>'
            f'<pattern id="dots-{uid}" width="7" height="7" patternUnits="userSpaceOnUse">'
            f'<circle cx="3.5" cy="3.5" r="1.6" fill="#fff"/></pattern>'
            f'<pattern id="cross-{uid}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f'<path d="M0,0 l8,8 M8,0 l-8,8" stroke="#fff" stroke-width="1.5"/></pattern>'
            f'</defs>')


def _swatch(uid: str, key: str, x: float, y: float, width: float, height: float) -> str:
    colour, pattern = PALETTE.get(key, PALETTE["other"])
    box = f'x="{x:.1f}" y="{y}" width="{width:.1f}" height="{height}"'
    drawn = f'<rect {box} fill="{colour}" stroke="#fff" stroke-width="1"/>'
    if pattern != "solid":
        drawn += f'<rect {box} fill="url(#{pattern}-{uid})"/>'
    return drawn


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "triangle":
        return (f'<path d="M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y + 4:.1f} '
                f'L{x - 5:.1f},{y + 4:.1f} Z" fill="{colour}"/>')
    if shape == "diamond":
        return (f'<path d="M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y:.1f} L{x:.1f},{y + 5:.1f} '
                f'L{x - 5:.1f},{y:.1f} Z" fill="{colour}"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#fff" stroke="{colour}" ' \
           f'stroke-width="2.5"/>'


def _dash(dash: str) -> str:
    return f' stroke-dasharray="{dash}"' if dash else ""


def shares(parts: Sequence[tuple[str, float, str]]) -> list[tuple[str, float, float | None]]:
    """Each part's label, value and percentage of the sum (None when the sum is zero), for
    the data table beside a share chart."""
    values = [max(_finite(v) or 0.0, 0.0) for _, v, _ in parts]
    total = sum(values)
    return [(label, value, value / total * 100 if total > 0 else None)
            for (label, _, _), value in zip(parts, values, strict=True)]


def line_rows(series: dict[str, list[tuple[str, float]]]
              ) -> list[tuple[str, list[float | None]]]:
    """A line chart's data table: one row per x label (in the order first met), one value
    per series (None where a series has no point there)."""
    by_series = [dict(points) for points in series.values()]
    return [(label, [values.get(label) for values in by_series])
            for label in _x_labels(series.values())]


def _x_labels(series: Iterable[list[tuple[str, float]]]) -> list[str]:
    seen: dict[str, None] = {}
    for points in series:
        for label, _ in points:
            seen.setdefault(label, None)
    return list(seen)


def _nice_step(peak: float) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving at most five ticks."""
    if peak <= 0:
        return 1.0
    raw = peak / 5
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return float(factor * power)
    return 10.0 * power


def _finite(value: float | None) -> float | None:
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _cut(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _uid(title: str, parts: Sequence[tuple[str, float, str]]) -> str:
    return hashlib.sha256(repr((title, list(parts))).encode()).hexdigest()[:10]


# What ``audit/_charts.html`` calls (registered as Jinja globals by the reports' pages).
TEMPLATE_GLOBALS = {"bar_chart": bar_chart, "line_chart": line_chart,
                    "share_chart": share_chart, "chart_number": number,
                    "chart_shares": shares, "chart_line_rows": line_rows}

"""Inline SVG charts drawn on the server: no JavaScript, they print, and they obey the CSP (colours
are SVG presentation attributes, never style=). Every chart is shown beside a table of its numbers."""

import hashlib
import math

from markupsafe import Markup, escape

WIDTH = 640
PALETTE = ("#1f6feb", "#bc4c00", "#1a7f37", "#8250df")
DASHES = ("", "6 3", "2 3", "8 3 2 3")  # the series differ by more than colour
INK, GRID, MUTED = "#1f2328", "#d0d7de", "#59636e"


def _id(title: str) -> str:
    return "chart-" + hashlib.sha1(title.encode()).hexdigest()[:8]


def _frame(title: str, height: int, body: list[str]) -> Markup:
    ident = _id(title)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'role="img" aria-labelledby="{ident}" font-size="12" font-family="sans-serif">'
        f'<title id="{ident}">{escape(title)}</title>' + "".join(body) + "</svg>"
    )


def _nice_max(value: float) -> int:
    """An axis maximum at or above value whose four gridlines fall on whole round numbers."""
    quarter = max(value, 1) / 4
    if quarter <= 10:
        return 4 * math.ceil(quarter)
    power = 10 ** math.floor(math.log10(quarter))
    return 4 * next(int(step * power) for step in (1, 2, 2.5, 5, 10) if step * power >= quarter)


def _text(x: float, y: float, content, anchor: str = "middle", fill: str = INK) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}">{escape(content)}</text>'


def _y_axis(top: int, bottom: int, left: int, maximum: float, suffix: str) -> list[str]:
    parts = []
    for step in range(5):
        value = maximum * step / 4
        y = bottom - (bottom - top) * step / 4
        parts.append(f'<line x1="{left}" x2="{WIDTH - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(_text(left - 6, y + 4, f"{value:g}{suffix}", "end", MUTED))
    return parts


def bar_chart(title: str, labels: list[str], values: list[int], *, unit: str = "") -> Markup:
    """Vertical bars, one per label (months)."""
    height, top, bottom, left = 240, 16, 210, 48
    maximum = _nice_max(max(values, default=0))
    slot = (WIDTH - 10 - left) / max(len(values), 1)
    body = _y_axis(top, bottom, left, maximum, "")
    for index, (label, value) in enumerate(zip(labels, values)):
        bar = (bottom - top) * value / maximum
        x = left + index * slot + slot * 0.15
        body.append(
            f'<rect x="{x:.1f}" y="{bottom - bar:.1f}" width="{slot * 0.7:.1f}" height="{bar:.1f}" '
            f'fill="{PALETTE[0]}"><title>{escape(label)}：{value}{escape(unit)}</title></rect>'
        )
        body.append(_text(x + slot * 0.35, bottom - bar - 4, value))
        body.append(_text(x + slot * 0.35, bottom + 18, label, fill=MUTED))
    return _frame(title, height, body)


def _segments(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Runs of consecutive points; a month without a number breaks the line."""
    runs, current = [], []
    for point in points:
        if point is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(point)
    return runs + ([current] if current else [])


def line_chart(
    title: str,
    labels: list[str],
    series: list[tuple[str, list[float | None]]],
    *,
    maximum: float = 100,
    suffix: str = "%",
) -> Markup:
    """Lines over the labels (months) on a 0–maximum axis; None leaves a gap."""
    height, top, bottom, left = 270, 40, 240, 48
    slot = (WIDTH - 10 - left) / max(len(labels), 1)
    body = _y_axis(top, bottom, left, maximum, suffix)
    for index, label in enumerate(labels):
        body.append(_text(left + slot * (index + 0.5), bottom + 18, label, fill=MUTED))
    for number, (name, values) in enumerate(series):
        colour, dash = PALETTE[number % len(PALETTE)], DASHES[number % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        points = [
            None if v is None else (left + slot * (i + 0.5), bottom - (bottom - top) * v / maximum)
            for i, v in enumerate(values)
        ]
        for run in _segments(points):
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>')
        for x_y, value, label in zip(points, values, labels):
            if x_y is not None:
                body.append(
                    f'<circle cx="{x_y[0]:.1f}" cy="{x_y[1]:.1f}" r="3" fill="{colour}">'
                    f"<title>{escape(name)} {escape(label)}：{value:.1f}{suffix}</title></circle>"
                )
        legend_x = left + number * 170
        body.append(
            f'<line x1="{legend_x}" x2="{legend_x + 24}" y1="14" y2="14" stroke="{colour}" '
            f'stroke-width="3"{dash_attr}/>'
        )
        body.append(_text(legend_x + 30, 18, name, "start"))
    return _frame(title, height, body)


def hbar_chart(title: str, items: list[tuple[str, int]], *, unit: str = "件") -> Markup:
    """Horizontal bars, largest first as given (categories, villages)."""
    row, top, left = 26, 8, 140
    height = top * 2 + row * max(len(items), 1)
    maximum = _nice_max(max((value for _, value in items), default=0))
    span = WIDTH - left - 60
    body = []
    for index, (label, value) in enumerate(items):
        y = top + index * row
        length = span * value / maximum
        body.append(_text(left - 8, y + row / 2 + 4, label, "end"))
        body.append(
            f'<rect x="{left}" y="{y + 4}" width="{length:.1f}" height="{row - 8}" fill="{PALETTE[0]}">'
            f"<title>{escape(label)}：{value}{escape(unit)}</title></rect>"
        )
        body.append(_text(left + length + 6, y + row / 2 + 4, value, "start"))
    if not items:
        body.append(_text(WIDTH / 2, top + row / 2 + 4, "暂无数据", fill=MUTED))
    return _frame(title, height, body)

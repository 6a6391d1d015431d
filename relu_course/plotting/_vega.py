"""The Vega specification and the HTML of an explorable figure (see :mod:`.explorable`).

Everything written here is deterministic: ids come from the key, numbers are rounded to 6
significant digits, and dicts keep the order they are built in.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

import numpy as np

from relu_course.plotting._style import _SERIES

Frames = list[dict[str, tuple[np.ndarray, np.ndarray]]]  # per slider value: label -> (x, y)

# Vega's dash arrays for Matplotlib's "-", "--", "-." and ":".
_DASHES = ([], [6, 4], [6, 3, 1.5, 3], [1.5, 2.5])
_WIDTH, _HEIGHT = 460, 280  # px: with the legend, the width of the book's text column


def _round(value: float) -> float | None:
    """6 significant digits, the same on every CPU; None (JSON null) for NaN and infinities."""
    return float(f"{value:.6g}") if math.isfinite(value) else None


def _padded(low: float, high: float, log: bool) -> tuple[float, float]:
    """A y range with room around the data: 5% each side (a factor on a log axis)."""
    if log:
        return (low / 1.5, high * 1.5) if low == high else (low / 1.1, high * 1.1)
    if low == high:
        return low - max(1.0, abs(low) * 0.1), high + max(1.0, abs(low) * 0.1)
    pad = 0.05 * (high - low)
    return low - pad, high + pad


def _spec(values: list[str], frames: Frames,
          initial: int, labels: dict[str, Any]) -> dict[str, Any]:
    series = list(frames[0])
    rows = [{"f": f, "s": label, "x": [_round(v) for v in x], "y": [_round(v) for v in y]}
            for f, frame in enumerate(frames) for label, (x, y) in frame.items()]
    xs = np.concatenate([x for frame in frames for x, _ in frame.values()])
    ys = np.concatenate([y for frame in frames for _, y in frame.values()])
    ys = ys[np.isfinite(ys)]
    y_low, y_high = _padded(ys.min(), ys.max(), labels["log_y"]) if ys.size else (0.0, 1.0)
    grey, text = "#444444", "#222222"
    marks: list[dict[str, Any]] = [
        {"type": "group",
         "from": {"facet": {"name": "line", "data": "shown", "groupby": "s"}},
         "marks": [{"type": "line", "from": {"data": "line"}, "encode": {"update": {
             "x": {"scale": "x", "field": "x"}, "y": {"scale": "y", "field": "y"},
             "stroke": {"scale": "color", "field": "s"},
             "strokeDash": {"scale": "dash", "field": "s"},
             "strokeWidth": {"value": 2}, "defined": {"signal": "isFinite(datum.y)"}}}}]},
    ]
    if labels["marks"]:
        marks += [
            {"type": "rule", "from": {"data": "marks"}, "encode": {"update": {
                "x": {"scale": "x", "field": "x"}, "y": {"value": 0}, "y2": {"signal": "height"},
                "stroke": {"value": "#777777"}, "strokeDash": {"value": [2, 2]}}}},
            {"type": "text", "from": {"data": "marks"}, "encode": {"update": {
                "x": {"scale": "x", "field": "x"}, "dx": {"value": 3}, "y": {"value": 10},
                "text": {"field": "label"}, "fill": {"value": "#555555"},
                "fontSize": {"value": 11}}}},
        ]
    spec: dict[str, Any] = {
        "width": _WIDTH, "height": _HEIGHT, "padding": 5, "autosize": "pad",
        "background": "white",
        "usermeta": {"frames": values, "slider": labels["slider"]},
        "signals": [{"name": "frame", "value": initial}],
        "data": [
            {"name": "all", "values": rows},
            {"name": "shown", "source": "all", "transform": [
                {"type": "filter", "expr": "datum.f === frame"},
                {"type": "flatten", "fields": ["x", "y"]}]},
            {"name": "marks", "values": [{"label": k, "x": _round(v)}
                                         for k, v in labels["marks"].items()]},
        ],
        "scales": [
            {"name": "x", "type": "log" if labels["log_x"] else "linear", "range": "width",
             "domain": [_round(xs.min()), _round(xs.max())], "zero": False, "nice": False},
            {"name": "y", "type": "log" if labels["log_y"] else "linear", "range": "height",
             "domain": [_round(y_low), _round(y_high)], "zero": False, "nice": True},
            {"name": "color", "type": "ordinal", "domain": series,
             "range": [_SERIES[i % len(_SERIES)] for i in range(len(series))]},
            {"name": "dash", "type": "ordinal", "domain": series,
             "range": [_DASHES[i % len(_DASHES)] for i in range(len(series))]},
        ],
        "axes": [
            {"orient": "bottom", "scale": "x", "title": labels["x"], "grid": True,
             "tickCount": 6},
            {"orient": "left", "scale": "y", "title": labels["y"], "grid": True,
             "tickCount": 6},
        ],
        "marks": marks,
        "config": {"axis": {"labelColor": grey, "titleColor": text, "domainColor": grey,
                            "tickColor": grey, "gridColor": "#dddddd", "labelFontSize": 11,
                            "titleFontSize": 12, "titleFontWeight": "normal"},
                   "legend": {"labelColor": text, "labelFontSize": 11, "symbolStrokeWidth": 2},
                   "title": {"color": text, "fontSize": 13, "fontWeight": "normal"}},
    }
    if len(series) > 1:
        spec["legends"] = [{"stroke": "color", "strokeDash": "dash", "orient": "right",
                            "symbolType": "stroke"}]
    if labels["title"]:
        spec["title"] = {"text": labels["title"]}
    return spec


def _html(key: str, values: list[str], initial: int, spec: dict[str, Any],
          labels: dict[str, Any]) -> str:
    e = html.escape
    ident = f"explorable-{key}"
    payload = json.dumps(spec, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    for char, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        payload = payload.replace(char, escaped)  # no "</script>" can end the block early
    shown = e(values[initial])
    name = labels["title"] or f"{labels['y']} against {labels['x']}"
    return (
        f'<div class="explorable" id="{ident}" data-explorable="{e(key)}" '
        f'data-frame="{initial}">\n'
        f'<div class="explorable-control" hidden>'
        f'<label for="{ident}-slider">{e(labels["slider"])}</label> '
        f'<input type="range" id="{ident}-slider" min="0" max="{len(values) - 1}" step="1" '
        f'value="{initial}" aria-valuetext="{e(labels["slider"])} = {shown}" '
        f'aria-describedby="{ident}-summary"> '
        f'<output for="{ident}-slider" aria-live="polite">{shown}</output></div>\n'
        f'<div class="explorable-view" role="img" aria-label="{e(name)}" '
        f'aria-describedby="{ident}-summary"></div>\n'
        f'<p class="explorable-summary" id="{ident}-summary">{e(labels["summary"])}'
        f'<span class="explorable-offline"> (An interactive figure on the book\'s website; '
        f'here, its text summary.)</span></p>\n'
        f'<script type="application/json" class="explorable-spec">{payload}</script>\n'
        f"</div>"
    )

"""The chart of a campaign experiment's estimate, drawn on the server as SVG (page and PDF share it).

Two panels, the left's share of the expressed votes and turnout. In each, the estimated
effect with its 95 % interval (a dot on a bar) against a zero line, and under it the mean
change from the baseline election in the treated bureaux and in the control bureaux (bars
from zero). The effect is the treated group's change beyond the controls', within strata:
it is close to, not exactly, the difference of the two bars.

Pure function: the `result` dict in (issue 13 contract, values in points), markup out.
"""

from __future__ import annotations

from html import escape

from hq.experiment_words import UNITS, interval_text, points_text

TREATED_COLOUR = "#9b0d24"
CONTROL_COLOUR = "#8a8a8a"
EFFECT_COLOUR = "#1b1b1f"

PANELS = (("left_share", "Part de la gauche"), ("turnout", "Participation"))


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    return float(value)


def _bounds(measure: dict) -> tuple[float, float]:
    keys = ("effect", "ci_low", "ci_high", "treated_mean_change", "control_mean_change")
    values = [v for v in (_number(measure.get(k)) for k in keys) if v is not None] + [0.0]
    low, high = min(values), max(values)
    span = max(high - low, 1.0)  # at least one point wide: a tiny effect is not blown up
    return low - 0.08 * span, high + 0.08 * span


def experiment_effect_svg(result: dict, *, width: int = 640) -> str:
    label_w, right_pad, row_h, panel_gap, top = 190, 150, 22, 18, 8
    plot_w = width - label_w - right_pad
    panels = [(key, title, result.get(key) or {}) for key, title in PANELS if result.get(key)]
    panel_h = 22 + 3 * row_h + 22
    height = top + max(1, len(panels)) * (panel_h + panel_gap)
    title = "Effet estimé de la campagne, avec son intervalle à 95 %, et variations moyennes des deux groupes"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" font-family="DejaVu Sans, sans-serif" '
        'font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    if not panels:
        out.append(
            f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle">Pas encore d’estimation</text>'
        )
    y0 = top
    for key, name, measure in panels:
        low, high = _bounds(measure)

        def x(value: float, low: float = low, high: float = high) -> float:
            return label_w + plot_w * (value - low) / (high - low)

        out.append(f'<text x="0" y="{y0 + 14}" font-weight="bold">{escape(name)}</text>')
        out.append(f'<text x="{label_w}" y="{y0 + 14}" fill="#555555">{escape(UNITS[key])}</text>')
        rows_top = y0 + 22
        zero = x(0.0)
        out.append(
            f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="{rows_top:.1f}" y2="{rows_top + 3 * row_h:.1f}" '
            'stroke="#222222" stroke-dasharray="3 3"/>'
        )
        rows = [
            ("Effet estimé (IC 95 %)", None),
            ("Bureaux ciblés : variation", ("treated_mean_change", TREATED_COLOUR)),
            ("Bureaux témoins : variation", ("control_mean_change", CONTROL_COLOUR)),
        ]
        for i, (row_label, bar) in enumerate(rows):
            cy = rows_top + i * row_h + row_h / 2
            out.append(f'<text x="0" y="{cy + 4:.1f}" fill="#333333">{escape(row_label)}</text>')
            if bar is None:
                effect, ci_low, ci_high = (_number(measure.get(k)) for k in ("effect", "ci_low", "ci_high"))
                if ci_low is not None and ci_high is not None:
                    out.append(
                        f'<line x1="{x(ci_low):.1f}" x2="{x(ci_high):.1f}" y1="{cy:.1f}" y2="{cy:.1f}" '
                        f'stroke="{EFFECT_COLOUR}" stroke-width="3"/>'
                    )
                    for end in (ci_low, ci_high):
                        out.append(
                            f'<line x1="{x(end):.1f}" x2="{x(end):.1f}" y1="{cy - 6:.1f}" y2="{cy + 6:.1f}" '
                            f'stroke="{EFFECT_COLOUR}" stroke-width="2"/>'
                        )
                if effect is not None:
                    out.append(f'<circle cx="{x(effect):.1f}" cy="{cy:.1f}" r="5" fill="{TREATED_COLOUR}"/>')
                text = interval_text(effect, ci_low, ci_high)
            else:
                field, colour = bar
                value = _number(measure.get(field))
                if value is not None:
                    start, end = sorted((zero, x(value)))
                    out.append(
                        f'<rect x="{start:.1f}" y="{cy - 7:.1f}" width="{max(end - start, 1):.1f}" height="14" '
                        f'fill="{colour}"/>'
                    )
                text = points_text(value)
            out.append(f'<text x="{label_w + plot_w + 8}" y="{cy + 4:.1f}" fill="#222222">{escape(text)}</text>')
        out.append(
            f'<text x="{zero:.1f}" y="{rows_top + 3 * row_h + 14:.1f}" text-anchor="middle" fill="#555555">0</text>'
        )
        y0 += panel_h + panel_gap
    out.append("</svg>")
    return "".join(out)

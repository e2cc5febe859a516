"""Back-test of the voter profiles: do they foretell the next election, bureau by bureau?

The rule, in words an analyst can check:

1. Profiles are computed as usual (`compute_profiles`, the current parameters) from the
   elections held strictly before a date D only, as if it were the eve of D.
2. They are compared with one later election E (its first round), bureau by bureau. In E,
   each bureau gets its ONE-election class: with m = left share of expressed votes − the
   share of the strongest opposing bloc (centre, right or far right) and t the leaning
   threshold (`leaning_margin`, 0.05): LEFT if m ≥ t, SWING if −t < m < t, otherwise the
   opposing bloc with the highest share (CENTRE, RIGHT or FAR_RIGHT). A margin equal to
   ±t up to rounding noise counts as past it, as in rules.py.
3. Only the bureaux present on both sides are compared, and among them only those with
   a prediction (some usable election before D) and expressed votes in E.
4. Figures:
   - accuracy: the share of compared bureaux whose predicted class is E's class; per
     class, the share of the bureaux of that class in E that were predicted so (recall),
     and the share of the bureaux predicted in that class that were right (precision);
   - calibration: the stated confidence is the probability that the bureau stays in its
     class. Bureaux are grouped by tenth of confidence (0–10 %, 10–20 % … 90–100 %); in
     each group, the mean stated confidence should be close to the observed share of
     bureaux that kept their class;
   - Brier score: the mean of (confidence − 1 if right, else 0)², 0 is perfect; a
     confidence of 0.5 everywhere scores 0.25;
   - correlation (Pearson) between the predicted left share of expressed votes (the
     profile's weighted mean) and E's, and the mean absolute gap, in points.
5. Calibration of the confidence: the confidence comes from the spread of a bureau's
   past margins, multiplied by `margin_sd_scale`. The scale that gives the lowest Brier
   score on the back-test (searched between 0.25 and 4) is the calibrated one. If no
   scale does better than the current one, the current one is kept.

The functions above the "Service" line are pure (tables in, tables and numbers out);
the service reads the database, runs them and records a ProfileBacktest.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from circonscriptions.models import Election, PollingStationResult, ProfileBacktest, ProfileSettings
from circonscriptions.profiles import formats
from circonscriptions.profiles.parameters import ProfileParameters
from circonscriptions.profiles.rules import ProfileTables, compute_profiles
from circonscriptions.profiles.services import (
    profiles_load_circonscription_results,
    profiles_load_results,
    results_tables_analyze,
)

CLASSES = ("left", "swing", "centre", "right", "far_right")
CLASS_LABELS = {
    "left": "acquis à gauche",
    "swing": "disputé",
    "centre": "dominé par Ensemble",
    "right": "dominé par la droite",
    "far_right": "dominé par l'extrême droite",
}
OPPONENTS = ("centre", "right", "far_right")
TIE_TOLERANCE = 1e-9  # shares are ratios: "equal to the threshold" is decided up to rounding noise
BINS = 10
SCALE_RANGE = (0.25, 4.0)


class BacktestRefused(Exception):
    """A back-test that cannot be run; the message is one French sentence saying why."""


# ---------------------------------------------------------------------------------------------
# One election's class


def one_election_class(
    left: np.ndarray, centre: np.ndarray, right: np.ndarray, far_right: np.ndarray, *, threshold: float
) -> np.ndarray:
    """The class of each bureau in one election from its bloc shares of expressed votes (rule 2)."""
    opponents = np.vstack([np.asarray(a, dtype=float) for a in (centre, right, far_right)])
    strongest = opponents.max(axis=0)
    margin = np.asarray(left, dtype=float) - strongest
    # The first of the highest: an exact tie between two opponents goes to the one named first.
    leader = np.asarray(OPPONENTS, dtype=object)[opponents.argmax(axis=0)]
    out = np.where(
        margin >= threshold - TIE_TOLERANCE, "left", np.where(margin > -threshold + TIE_TOLERANCE, "swing", leader)
    )
    return out.astype(object)


def actual_classes(target: pd.DataFrame, *, threshold: float) -> pd.DataFrame:
    """E's figures per bureau: left share, margin and class, from its counts and bloc votes.

    `target`: one row per bureau, with `polling_station_id`, `expressed` and
    `votes_left`, `votes_centre`, `votes_right`, `votes_far_right` (as the results query
    gives them). Bureaux without expressed votes are dropped: they have no class.
    """
    t = target[target["expressed"] > 0]
    expressed = t["expressed"].to_numpy(dtype=float)
    shares = {b: t[f"votes_{b}"].to_numpy(dtype=float) / expressed for b in ("left", *OPPONENTS)}
    classes = one_election_class(
        shares["left"], shares["centre"], shares["right"], shares["far_right"], threshold=threshold
    )
    return pd.DataFrame(
        {
            "polling_station_id": t["polling_station_id"].to_numpy(),
            "actual_left_share": shares["left"],
            "actual_margin": shares["left"] - np.maximum.reduce([shares[b] for b in OPPONENTS]),
            "actual_class": classes,
        }
    )


# ---------------------------------------------------------------------------------------------
# Figures


def brier_score(confidence: np.ndarray, hit: np.ndarray) -> float | None:
    confidence = np.asarray(confidence, dtype=float)
    if not len(confidence):
        return None
    return float(np.mean((confidence - np.asarray(hit, dtype=float)) ** 2))


def calibration_table(confidence: np.ndarray, hit: np.ndarray) -> list[dict]:
    """Per tenth of stated confidence: count, mean confidence, observed share of right classes.

    Bins are [0, 0.1), [0.1, 0.2) … [0.9, 1.0]: a confidence of exactly 1 falls in the last.
    An empty bin has a count of 0 and no means.
    """
    confidence = np.asarray(confidence, dtype=float)
    hit = np.asarray(hit, dtype=float)
    index = np.clip(np.floor(confidence * BINS).astype(int), 0, BINS - 1)
    rows = []
    for i in range(BINS):
        inside = index == i
        count = int(inside.sum())
        rows.append(
            {
                "bin": i + 1,
                "low": i / BINS,
                "high": (i + 1) / BINS,
                "count": count,
                "mean_confidence": float(confidence[inside].mean()) if count else None,
                "observed": float(hit[inside].mean()) if count else None,
            }
        )
    return rows


def _finite(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def compare(
    stations: pd.DataFrame, target: pd.DataFrame, *, threshold: float, history_ids: set | None = None
) -> tuple[pd.DataFrame, dict]:
    """The bureaux compared (one row each: predicted and actual class, confidence, left shares) and the counts.

    `stations`: the predicted profiles (`polling_station_id`, `leaning`, `confidence`,
    `share_expr_left`, and `n_elections` when present); `target`: see `actual_classes`.
    `history_ids`: the bureaux with results before the date, when known: a bureau there
    that the profiles leave out (every earlier election of it set aside) counts as
    "without a usable earlier election", not as absent.
    """
    predicted_ids = set(stations["polling_station_id"].tolist()) if len(stations) else set()
    if history_ids is not None:
        predicted_ids |= set(history_ids)
    target_ids = set(target["polling_station_id"].tolist()) if len(target) else set()
    common = predicted_ids & target_ids
    usable = stations[
        stations["leaning"].isin(CLASSES)
        & np.isfinite(pd.to_numeric(stations["confidence"], errors="coerce").astype(float))
        & np.isfinite(pd.to_numeric(stations["share_expr_left"], errors="coerce").astype(float))
    ]
    if "n_elections" in usable.columns:
        usable = usable[usable["n_elections"].fillna(0) > 0]
    actual = actual_classes(target, threshold=threshold)
    joined = usable[["polling_station_id", "leaning", "confidence", "share_expr_left"]].merge(
        actual, on="polling_station_id", how="inner"
    )
    joined = joined.rename(columns={"leaning": "predicted_class", "share_expr_left": "predicted_left_share"})
    joined["confidence"] = joined["confidence"].astype(float)
    joined["hit"] = joined["predicted_class"] == joined["actual_class"]
    counts = {
        "bureaux_predicted": len(predicted_ids),
        "bureaux_target": len(target_ids),
        "bureaux_common": len(common),
        "compared": len(joined),
        "left_out_no_prediction": len(common - set(usable["polling_station_id"].tolist())),
        "left_out_no_votes": len(common & set(usable["polling_station_id"].tolist())) - len(joined),
    }
    return joined, counts


def figures_from_comparison(joined: pd.DataFrame, counts: dict) -> dict:
    """Accuracy (overall, per class), calibration table, Brier score, correlation, mean absolute gap."""
    n = len(joined)
    hit = joined["hit"].to_numpy(dtype=bool)
    confidence = joined["confidence"].to_numpy(dtype=float)
    classes = []
    for c in CLASSES:
        actual = joined["actual_class"] == c
        predicted = joined["predicted_class"] == c
        right = int((actual & predicted).sum())
        classes.append(
            {
                "leaning": c,
                "label": CLASS_LABELS[c],
                "actual": int(actual.sum()),
                "predicted": int(predicted.sum()),
                "correct": right,
                "accuracy": right / int(actual.sum()) if actual.any() else None,
                "precision": right / int(predicted.sum()) if predicted.any() else None,
            }
        )
    confusion = {
        p: {a: int(((joined["predicted_class"] == p) & (joined["actual_class"] == a)).sum()) for a in CLASSES}
        for p in CLASSES
    }
    correlation = None
    if n >= 2:
        pred = joined["predicted_left_share"].to_numpy(dtype=float)
        act = joined["actual_left_share"].to_numpy(dtype=float)
        if pred.std() > 0 and act.std() > 0:  # a constant side has no correlation
            correlation = _finite(float(np.corrcoef(pred, act)[0, 1]))
    mae = float(np.mean(np.abs(joined["predicted_left_share"] - joined["actual_left_share"]))) * 100 if n else None
    return {
        **counts,
        "correct": int(hit.sum()),
        "accuracy": float(hit.mean()) if n else None,
        "classes": classes,
        "confusion": confusion,
        "calibration": calibration_table(confidence, hit),
        "mean_confidence": float(confidence.mean()) if n else None,
        "brier": brier_score(confidence, hit),
        "correlation": correlation,
        "mae_points": mae,
    }


def backtest_figures(
    stations: pd.DataFrame, target: pd.DataFrame, *, threshold: float, history_ids: set | None = None
) -> dict:
    """Every figure of a back-test from the predicted profiles and E's figures per bureau (JSON-ready)."""
    joined, counts = compare(stations, target, threshold=threshold, history_ids=history_ids)
    return figures_from_comparison(joined, counts)


# ---------------------------------------------------------------------------------------------
# Calibration of the confidence


def calibrate_spread_scale(
    history: pd.DataFrame,
    target: pd.DataFrame,
    params: ProfileParameters,
    *,
    low: float = SCALE_RANGE[0],
    high: float = SCALE_RANGE[1],
    compute: Callable[[pd.DataFrame, ProfileParameters], ProfileTables] = compute_profiles,
) -> dict:
    """The `margin_sd_scale` with the lowest Brier score on this back-test (rule 5).

    A grid of 9 scales evenly spaced on a log scale from `low` to `high`, then a
    golden-section search between the best one's neighbours (8 more steps): about 17
    recomputes. The current scale is always among the candidates, so the Brier score
    after is never above the one before. Returns the scale, the Brier score and the
    calibration table before and after, the figures after, and every scale tried.
    """
    threshold = params.leaning_margin
    history_ids = set(history["polling_station_id"].tolist()) if "polling_station_id" in history.columns else None
    tried: dict[float, dict] = {}

    def evaluate(scale: float) -> float:
        scale = round(float(scale), 4)
        if scale not in tried:
            stations = compute(history, replace(params, margin_sd_scale=scale)).stations
            tried[scale] = backtest_figures(stations, target, threshold=threshold, history_ids=history_ids)
        brier = tried[scale]["brier"]
        return math.inf if brier is None else brier

    current = round(float(params.margin_sd_scale), 4)
    before = evaluate(current)
    grid = np.exp(np.linspace(math.log(low), math.log(high), 9))
    values = [evaluate(s) for s in grid]
    best = int(np.argmin(values))
    a = grid[max(best - 1, 0)]
    b = grid[min(best + 1, len(grid) - 1)]
    # Golden section on the logarithm of the scale: the Brier score is smooth and, near its
    # minimum, has a single valley.
    ratio = (math.sqrt(5) - 1) / 2
    la, lb = math.log(a), math.log(b)
    lc, ld = lb - ratio * (lb - la), la + ratio * (lb - la)
    fc, fd = evaluate(math.exp(lc)), evaluate(math.exp(ld))
    for _ in range(6):
        if fc <= fd:
            lb, ld, fd = ld, lc, fc
            lc = lb - ratio * (lb - la)
            fc = evaluate(math.exp(lc))
        else:
            la, lc, fc = lc, ld, fd
            ld = la + ratio * (lb - la)
            fd = evaluate(math.exp(ld))
    scale = min(
        tried, key=lambda s: (tried[s]["brier"] if tried[s]["brier"] is not None else math.inf, abs(s - current))
    )
    if tried[scale]["brier"] is None or not tried[scale]["brier"] < before:
        scale = current  # nothing does better: keep what is in use
    return {
        "scale_before": current,
        "scale": scale,
        "brier_before": tried[current]["brier"],
        "brier_after": tried[scale]["brier"],
        "calibration_before": tried[current]["calibration"],
        "calibration_after": tried[scale]["calibration"],
        "figures_after": tried[scale],
        "search": [{"scale": s, "brier": tried[s]["brier"]} for s in sorted(tried)],
        # The best scale at an end of the range: the optimum may lie beyond it (the figures say so).
        "at_bound": scale != current
        and (math.isclose(scale, low, rel_tol=1e-3) or math.isclose(scale, high, rel_tol=1e-3)),
    }


def results_checksum(frame: pd.DataFrame) -> str:
    """A fingerprint of a results table (same rows, same figures → same checksum, whatever the order)."""
    if frame.empty:
        return hashlib.sha256(b"").hexdigest()
    ordered = frame.sort_values(["election", "polling_station_id"]).reset_index(drop=True)
    ordered = ordered[sorted(ordered.columns)]
    hashes = pd.util.hash_pandas_object(ordered, index=False).to_numpy()
    return hashlib.sha256(hashes.tobytes()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Service (reads the database, records the run)

ELECTION_NAMES = {  # with their article: « Vérifié sur les législatives 2024 »
    "legislatives": "les législatives",
    "presidentielle": "la présidentielle",
    "europeennes": "les européennes",
    "municipales": "les municipales",
    "regionales": "les régionales",
    "departementales": "les départementales",
}


def election_label(kind: str, year: int, round_: int = 1) -> str:
    label = f"{ELECTION_NAMES.get(kind, kind)} {year}"
    return label if round_ == 1 else f"{label} ({round_}e tour)"


def _effective_date(election) -> date:
    # Files that give only the year: mid-year, as rules.py does.
    return election.date or date(election.year, 7, 1)


def _fr_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def with_a(label: str) -> str:
    """« à » before an election's label: aux législatives, à la présidentielle."""
    return "aux " + label[4:] if label.startswith("les ") else f"à {label}"


def _fr_when(election) -> str:
    return f"le {_fr_date(election.date)}" if election.date else f"en {election.year}"


def profiles_backtest(
    *,
    until: date,
    against: str,
    by: str = "",
    calibrate: bool = False,
    parameters: ProfileParameters | None = None,
    skip_if_done: bool = False,
) -> ProfileBacktest:
    """Profiles from the elections before `until`, checked bureau by bureau against `against`; recorded.

    Raises BacktestRefused (one French sentence) when it cannot run. With `calibrate`,
    the calibrated `margin_sd_scale` is saved to ProfileSettings (the next recompute uses
    it). With `skip_if_done`, a back-test already recorded for the same date, election
    and data is returned as is (the demo runs its back-tests on every load).
    """
    started = time.monotonic()
    settings = ProfileSettings.load()
    params = parameters or settings.parameters()
    target = Election.objects.filter(slug=against, simulated=False).first()
    if target is None:
        raise BacktestRefused(
            f"Aucune élection « {against} » n'est chargée : vérifiez son identifiant (par exemple legislatives-2024-1)."
        )
    label = election_label(target.kind, target.year, target.round)
    if target.round != 1:
        raise BacktestRefused(
            f"« {against} » est un second tour, où des blocs entiers sont absents : comparez avec le premier tour "
            f"({Election.make_slug(target.kind, target.year, 1)})."
        )
    if not PollingStationResult.objects.filter(election=target).exists():
        raise BacktestRefused(
            f"L'élection « {against} » n'a aucun résultat par bureau de vote : rien à comparer bureau par bureau."
        )
    with_results = Election.objects.filter(
        simulated=False, pk__in=PollingStationResult.objects.values("election_id").distinct()
    )
    if params.first_rounds_only:
        with_results = with_results.filter(round=1)
    earlier = sorted(e.slug for e in with_results if _effective_date(e) < until)
    if not earlier:
        raise BacktestRefused(
            f"Aucune élection chargée avec des résultats par bureau n'a eu lieu avant le {_fr_date(until)} : "
            "il n'y a rien sur quoi fonder des profils."
        )
    if _effective_date(target) < until:
        raise BacktestRefused(
            f"L'élection « {against} » ({_fr_when(target)}) a eu lieu avant le {_fr_date(until)} : "
            "elle ferait partie des élections dont les profils sont tirés ; choisissez une date qui la précède."
        )

    results_tables_analyze()
    results = profiles_load_results(first_rounds_only=params.first_rounds_only)
    history = results[results["election"].isin(earlier)]
    target_rows = results[results["election"] == against]
    checksum = results_checksum(pd.concat([history, target_rows]))
    if skip_if_done:
        done = ProfileBacktest.objects.filter(until=until, against=against, data_checksum=checksum).first()
        if done is not None:
            return done
    # The circonscriptions' own results of the same elections are the references of the gaps (rules.py).
    references = profiles_load_circonscription_results(first_rounds_only=params.first_rounds_only)
    references = references[references["election"].isin(earlier)]

    def compute(rows: pd.DataFrame, parameters: ProfileParameters):
        return compute_profiles(rows, parameters, circonscription_results=references)

    tables = compute(history, params)
    figures = backtest_figures(
        tables.stations,
        target_rows,
        threshold=params.leaning_margin,
        history_ids=set(history["polling_station_id"].tolist()),
    )
    if figures["bureaux_common"] == 0:
        raise BacktestRefused(
            f"Aucun bureau de vote n'a à la fois des résultats avant le {_fr_date(until)} et dans « {against} » : "
            "rien à comparer."
        )
    backtest = ProfileBacktest(
        started_by=by,
        until=until,
        against=against,
        against_label=label,
        elections=earlier,
        parameters=params.as_dict(),
        figures=figures,
        data_checksum=checksum,
    )
    if calibrate and figures["compared"]:
        calibration = calibrate_spread_scale(history, target_rows, params, compute=compute)
        backtest.calibrated_scale = calibration["scale"]
        backtest.calibrated_figures = calibration
        if calibration["scale"] != params.margin_sd_scale:
            settings.margin_sd_scale = calibration["scale"]
            settings.save(update_fields=["margin_sd_scale", "updated_at"])
            backtest.scale_saved = True
    backtest.seconds = time.monotonic() - started
    backtest.save()
    return backtest


# ---------------------------------------------------------------------------------------------
# Summary in French (the command's output)


def fr_number(value: float | None, digits: int = 2) -> str:
    return formats.number(None if value is None or not math.isfinite(value) else value, digits)


def fr_percent(value: float | None, digits: int = 1) -> str:
    return formats.percent(value, digits)


def calibration_lines(table: list[dict]) -> list[str]:
    lines = ["  confiance    bureaux   annoncée   observée"]
    for row in table:
        if not row["count"]:
            continue
        span = f"{100 * row['low']:.0f}–{100 * row['high']:.0f} %"
        stated, observed = fr_percent(row["mean_confidence"]), fr_percent(row["observed"])
        lines.append(f"  {span:<11} {row['count']:>7}   {stated:>8}   {observed:>8}")
    return lines


def backtest_summary_lines(backtest: ProfileBacktest) -> list[str]:
    """A readable French summary of a recorded back-test."""
    f = backtest.figures
    elections = ", ".join(backtest.elections)
    lines = [
        f"Vérification n°{backtest.pk} : profils tirés des élections antérieures au {_fr_date(backtest.until)} "
        f"({elections}), comparés {with_a(backtest.against_label)} ({backtest.against}), bureau par bureau.",
        f"Bureaux : {f['bureaux_common']} en commun, {f['compared']} comparés "
        f"({f['left_out_no_prediction']} sans élection antérieure utilisable, "
        f"{f['left_out_no_votes']} sans suffrage exprimé).",
    ]
    if not f["compared"]:
        lines.append(
            "Aucun bureau n'a pu être comparé : ce contrôle ne dit rien de la fiabilité des profils, "
            "et la confiance ne peut pas être calibrée dessus."
        )
        return lines
    lines.append(f"Bien classés : {fr_percent(f['accuracy'])} ({f['correct']} sur {f['compared']}).")
    lines.append("Par classe réelle : bien prédits / bureaux de la classe (part des prédictions de la classe justes).")
    for c in f["classes"]:
        if c["actual"] or c["predicted"]:
            lines.append(
                f"  {c['label']:<28} {c['correct']:>5} / {c['actual']:<5} {fr_percent(c['accuracy']):>8}"
                f"   (prédits : {c['predicted']}, justes : {fr_percent(c['precision'])})"
            )
    lines.append(
        f"Score de Brier : {fr_number(f['brier'], 3)} (0 = parfait ; 0,25 = une confiance de 50 % partout) ; "
        f"confiance annoncée moyenne {fr_percent(f['mean_confidence'])}."
    )
    lines.append(
        f"Part de la gauche prévue et observée : corrélation {fr_number(f['correlation'], 3)}, "
        f"écart absolu moyen {fr_number(f['mae_points'], 1)} points."
    )
    lines.append("Calibration (confiance annoncée et part des bureaux restés dans leur classe) :")
    lines += calibration_lines(f["calibration"])
    c = backtest.calibrated_figures
    if c:
        lines.append(
            f"Calibration de la confiance : facteur d'écart {fr_number(c['scale_before'])} → {fr_number(c['scale'])}, "
            f"Brier {fr_number(c['brier_before'], 3)} → {fr_number(c['brier_after'], 3)}."
        )
        lines += calibration_lines(c["calibration_after"])
        if c.get("at_bound"):
            lines.append(
                "Le meilleur facteur est au bord de l'intervalle cherché (0,25 à 4) : la confiance reste mal "
                "calibrée, le défaut est sans doute dans les classes prédites plutôt que dans leur dispersion."
            )
        if backtest.scale_saved:
            lines.append(
                f"Facteur {fr_number(c['scale'])} enregistré dans les réglages des profils : "
                "le prochain calcul des profils l'utilisera."
            )
        else:
            lines.append("Aucun facteur ne fait mieux que celui en place : les réglages sont inchangés.")
    return lines


# ---------------------------------------------------------------------------------------------
# Reliability diagram (numbers in, SVG markup out)


def reliability_svg(before: list[dict], after: list[dict] | None = None, *, size: int = 300) -> str:
    """Stated confidence (x) against observed share of right classes (y), one dot per tenth.

    A well-calibrated confidence puts the dots on the diagonal; dots below it mean the
    profiles were surer than the next election warranted. Dot areas follow the bureau
    counts. `before` in grey, `after` (calibrated) in colour. Only numbers and fixed
    French words go into the markup.
    """
    pad_left, pad_bottom, pad_top, pad_right = 46, 40, 12, 22
    width = height = size
    plot_w = width - pad_left - pad_right
    plot_h = height - pad_top - pad_bottom

    def x(value: float) -> float:
        return pad_left + value * plot_w

    def y(value: float) -> float:
        return pad_top + (1 - value) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" aria-labelledby="reliability-title" class="reliability-diagram">',
        '<title id="reliability-title">Confiance annoncée et fréquence observée, par tranche de confiance</title>',
        f'<rect x="{pad_left}" y="{pad_top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#999"/>',
        f'<line x1="{x(0):.1f}" y1="{y(0):.1f}" x2="{x(1):.1f}" y2="{y(1):.1f}" stroke="#999" stroke-dasharray="4 3"/>',
    ]
    for tick in (0.0, 0.5, 1.0):
        label = f"{100 * tick:.0f} %"
        parts.append(
            f'<text x="{x(tick):.1f}" y="{height - pad_bottom + 14}" font-size="11" text-anchor="middle">{label}</text>'
        )
        parts.append(f'<text x="{pad_left - 4}" y="{y(tick) + 4:.1f}" font-size="11" text-anchor="end">{label}</text>')
    parts.append(
        f'<text x="{pad_left + plot_w / 2:.1f}" y="{height - 6}" font-size="11" text-anchor="middle">'
        "confiance annoncée</text>"
    )
    parts.append(
        f'<text x="12" y="{pad_top + plot_h / 2:.1f}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 12 {pad_top + plot_h / 2:.1f})">fréquence observée</text>'
    )
    series = [(before, "#888888", "avant")]
    if after:
        series.append((after, "#c0392b", "après calibration"))
    largest = max([row["count"] for rows, _c, _n in series for row in rows] + [1])
    for rows, colour, name in series:
        points = [r for r in rows if r["count"] and r["mean_confidence"] is not None and r["observed"] is not None]
        if len(points) > 1:
            path = " ".join(f"{x(r['mean_confidence']):.1f},{y(r['observed']):.1f}" for r in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        for r in points:
            radius = 2.5 + 6.5 * math.sqrt(r["count"] / largest)
            parts.append(
                f'<circle cx="{x(r["mean_confidence"]):.1f}" cy="{y(r["observed"]):.1f}" r="{radius:.1f}" '
                f'fill="{colour}" fill-opacity="0.6" data-series="{name}" data-count="{int(r["count"])}"/>'
            )
    for i, (_rows, colour, name) in enumerate(series):
        top = pad_top + 10 + 16 * i
        parts.append(f'<circle cx="{pad_left + 12}" cy="{top}" r="5" fill="{colour}" fill-opacity="0.6"/>')
        parts.append(f'<text x="{pad_left + 22}" y="{top + 4}" font-size="11">{name}</text>')
    parts.append("</svg>")
    return "".join(parts)

"""The words an HQ analyst can repeat about a campaign experiment's estimate.

Pure functions over the `result` dict that observations/evaluation.py stores on an
experiment (its keys are fixed in the issue 13 contract). Effects, intervals and mean
changes are in points (1.2 = 1,2 point of the expressed votes, or of the registered
voters for turnout); the per-door effect is in left votes per 100 doors knocked.

How to read them, in the words the pages use:
- « +1,2 point [0,3 ; 2,1] » : the treated bureaux gained 1,2 point of left share more than
  comparable control bureaux, from the baseline election to the outcome election; the 95 %
  interval runs from 0,3 to 2,1 points. An interval that contains 0 means the campaign's
  effect cannot be told apart from chance at the usual 5 % level.
- the p-value comes from randomisation inference: the draw is redone many times within the
  same strata (the number of permutations is said) and p is the share of those made-up draws
  that give an effect at least as large as the one measured.
Numbers are written by the one formatter of the project (circonscriptions/profiles/formats.py).
"""

from __future__ import annotations

from typing import TypeGuard

from circonscriptions.profiles.formats import NNBSP, counted, number

SIMULATED = "résultat simulé"
SIMULATED_BANNER = "Résultat simulé — pas un vrai scrutin"

UNITS = {"left_share": "points des suffrages exprimés", "turnout": "points des inscrits"}
MEASURES = {
    "left_share": f"la part de la gauche ({UNITS['left_share']})",
    "turnout": f"la participation ({UNITS['turnout']})",
}


def _is_number(value: object) -> TypeGuard[float]:
    return not isinstance(value, bool) and isinstance(value, int | float) and value == value


def signed(value, digits: int = 1) -> str:
    """1.234 → '+1,2' ; -0.4 → '-0,4' ; what rounds to zero → '0,0' (no sign)."""
    if not _is_number(value):
        return "—"
    text = number(value, digits)
    return f"+{text}" if value > 0 and text.strip("0,") else text


def plain(value, digits: int = 1) -> str:
    return number(value, digits) if _is_number(value) else "—"


def points_text(value, digits: int = 1) -> str:
    """« +1,2 point », « −2,5 points » : French puts the plural from 2 on."""
    if not _is_number(value):
        return "—"
    unit = "points" if abs(round(float(value), digits)) >= 2 else "point"
    return f"{signed(value, digits)} {unit}"


def interval_text(effect, low, high, digits: int = 1) -> str:
    """« +1,2 point [0,3 ; 2,1] »."""
    return f"{points_text(effect, digits)} [{plain(low, digits)}{NNBSP};{NNBSP}{plain(high, digits)}]"


def p_value_text(p) -> str:
    """« p = 0,03 », « p < 0,01 » (as the estimate's summary writes it)."""
    if not _is_number(p):
        return "p non calculé"
    if p < 0.01:
        return "p < 0,01"
    return f"p = {number(p, 2)}"


def covers_zero(measure: dict) -> bool:
    low, high = measure.get("ci_low"), measure.get("ci_high")
    return _is_number(low) and _is_number(high) and low <= 0 <= high


def _verdict(measure: dict) -> str:
    """What the interval and the randomisation test say together (they may disagree near the threshold)."""
    p = measure.get("p_value")
    test_rejects = _is_number(p) and p < 0.05
    if covers_zero(measure) and not test_rejects:
        return "l'intervalle contient 0 : pas d'effet distinguable du hasard"
    if not covers_zero(measure) and (test_rejects or not _is_number(p)):
        return "l'intervalle ne contient pas 0 : effet distinguable du hasard au seuil de 5 %"
    return (
        "l'intervalle et le test par tirages refaits ne concordent pas au seuil de 5 % : "
        "résultat fragile, à confirmer par une autre campagne"
    )


def measure_sentence(key: str, measure: dict) -> str:
    """One sentence per measure, the one to repeat in a meeting."""
    effect = interval_text(measure.get("effect"), measure.get("ci_low"), measure.get("ci_high"))
    permutations = measure.get("permutations")
    inference = p_value_text(measure.get("p_value"))
    if _is_number(permutations):
        inference += f", sur {number(permutations)} tirages au sort refaits"
    verdict = _verdict(measure)
    return f"Effet sur {MEASURES[key]} : {effect} ({inference}) ; {verdict}."


def changes_sentence(key: str, measure: dict) -> str:
    return (
        f"Variation moyenne depuis l'élection de référence : {points_text(measure.get('treated_mean_change'))} "
        f"dans les bureaux ciblés, {points_text(measure.get('control_mean_change'))} dans les bureaux témoins."
    )


def per_door_sentence(per_door: dict | None) -> str:
    """« +3,1 votes de gauche pour 100 portes frappées [0,4 ; 5,8] », or '' without doors counted."""
    if not per_door:
        return ""
    effect, low, high = per_door.get("effect"), per_door.get("ci_low"), per_door.get("ci_high")
    unit = "votes" if _is_number(effect) and abs(round(effect, 1)) >= 2 else "vote"
    text = (
        f"Par porte frappée : {signed(effect)} {unit} de gauche pour 100 portes [{plain(low)}{NNBSP};{NNBSP}"
        f"{plain(high)}] ({number(per_door.get('doors_treated'))} portes frappées dans les bureaux ciblés, "
        f"{number(per_door.get('doors_control'))} dans les témoins"
    )
    compliance = per_door.get("compliance")
    if _is_number(compliance):
        text += f" ; {number(100 * compliance, 0)}{NNBSP}% des bureaux ciblés ont reçu au moins une visite"
    return text + ")."


def noncompliance_sentence(noncompliance: dict | None) -> str:
    if not noncompliance or not noncompliance.get("control_bureaux"):
        return "Aucune action signalée dans les bureaux témoins pendant la campagne."
    n = noncompliance["control_bureaux"]
    reports = noncompliance.get("observations") or 0
    return (
        f"Non-respect du tirage : {counted(n, 'bureau témoin visité', 'bureaux témoins visités')} "
        f"pendant la campagne ({counted(reports, 'compte rendu', 'comptes rendus')}, "
        f"{number(noncompliance.get('doors'))} portes frappées). L'estimation compare les "
        "groupes tels que tirés (effet de l'intention de traiter) : ces visites la tirent vers zéro."
    )


# Always said, whatever the stats module added: what the figures can and cannot mean.
STANDING_CAVEATS = (
    "Une seule élection : l'effet mesuré vaut pour cette campagne, ce scrutin et ces bureaux ; "
    "il faut plusieurs campagnes pour en tirer une règle.",
    "Des moyennes par bureau de vote : on ne sait pas qui a changé son vote, seulement de combien "
    "les bureaux ciblés ont bougé de plus que les témoins.",
    "Un intervalle de confiance à 95 % : si la campagne était refaite bien des fois avec d'autres "
    "tirages, 95 intervalles sur 100 calculés ainsi contiendraient le vrai effet ; les valeurs au "
    "milieu ne sont pas plus « sûres » que celles des bords.",
)
SIMULATED_CAVEAT = (
    "Résultat simulé : l'élection de sortie a été fabriquée à partir des résultats réels de l'élection "
    "de référence, avec un effet injecté ; elle ne dit rien de l'effet réel de la méthode."
)


def caveats(result: dict) -> list[str]:
    """The estimate's own caveats, then the standing ones; a simulated outcome is said once."""
    said = [str(c) for c in result.get("caveats") or []]
    extra = list(STANDING_CAVEATS)
    if result.get("simulated") and not any(c.startswith("Résultat simulé") for c in said):
        extra.append(SIMULATED_CAVEAT)
    return said + [c for c in extra if c not in said]


def campaign_label(experiment) -> str:
    """« Campagne X (fédération 29, 2027) » or « Campagne X (QG national, 2027) »."""
    where = f"fédération {experiment.federation.departement.code}" if experiment.federation_id else "QG national"
    return f"Campagne {experiment.name} ({where}, {experiment.starts_on.year})"


def learning_line(experiment) -> str:
    """The catalogue's line: « Campagne X (fédération 29, 2027) : +1,2 point [0,3 ; 2,1], résultat simulé »."""
    result = experiment.result or {}
    left = result.get("left_share") or {}
    text = (
        f"{campaign_label(experiment)} : {interval_text(left.get('effect'), left.get('ci_low'), left.get('ci_high'))}"
    )
    text += " sur la part de la gauche"
    turnout = result.get("turnout") or {}
    if turnout:
        text += f", {interval_text(turnout.get('effect'), turnout.get('ci_low'), turnout.get('ci_high'))} "
        text += "sur la participation"
    if result.get("simulated"):
        text += f", {SIMULATED}"
    return text

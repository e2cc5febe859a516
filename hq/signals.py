"""Signals through which hq asks the higher apps (observations, fiches) about a person's data.

hq holds the people; observations and fiches hold what they did. hq must not import
them (the layering is circonscriptions ← hq ← observations ← fiches), so it sends these
signals and the higher apps answer from receivers connected in their AppConfig.ready():

- `person_export_requested(person=…, kind=…)`: each receiver returns a dict
  {section name: list of rows (dicts of plain values)} of what its app holds about the
  person, and nothing about anyone else;
- `person_erasing(person=…, kind=…, by=…, reason=…)`: sent inside the erasure's
  transaction, before the person's rows are deleted; each receiver removes or redacts
  its app's data about the person and returns a dict {what: how many};
- `retention_purging(text_cutoff=…, by=…)`: sent by the retention purge; receivers clear
  observation free texts of actions held before the cutoff date and return counts.

`kind` is "member" (an hq.User) or "supporter" (an hq.Supporter).

- `experiment_started(experiment=…, by=…)`: sent once a campaign experiment's launch is
  committed (`by`: who launched it, or None); fiches recompose the drafts of the territory and
  publish, at once, a version without the controls of each published fiche that targets one.
- `experiment_conflicts(experiment=…, station_ids=…)`: asked by the experiment's page; each
  receiver returns a list of {"label", "url", "bureaux"} for what it has published that still
  sends activists to those (control) bureaux (a publication refused by the electoral silence,
  or not yet done by the worker).
- `fiche_known(fiche_id=…, federation=…)`: asked by the mission form; a receiver returns True
  when a fiche of that number belongs to the federation's département (the fiche to bring).
"""

from django.dispatch import Signal

person_export_requested = Signal()
person_erasing = Signal()
retention_purging = Signal()
experiment_started = Signal()
experiment_conflicts = Signal()
fiche_known = Signal()

"""Signals of the observations app, for the apps above it (fiches).

`observation_texts_erasing(observations=[…], by=…, reason=…)` is sent, inside the
transaction, just before observations lose their free texts (a person erased, or the
retention period over). Each item is a dict with the observation's `id`,
`circonscription_id`, `held_on` (ISO date), `created_at`, `texts` ({field: text} of
the non-empty free texts about to be cleared) and `quotes` ({field: text} of HQ's approved
quotes of them, possibly edited, deleted in the same step): the fiches redact the
published quotes of those texts. Receivers return how many fiche versions they redacted.
"""

from django.dispatch import Signal

observation_texts_erasing = Signal()

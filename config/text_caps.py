"""Length caps of free texts, enforced in forms (max_length) and in the database (CHECK).

Django's TextField only passes max_length to the form's textarea; the database column stays
unbounded. Every text a person types has a cap (a field of a hostile or careless form must
not fill a page of PDF or a gigabyte of disk), so models declare their caps once, in a dict,
and take both the fields' max_length and these constraints from it.
"""

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual


def text_cap_constraints(prefix: str, caps: dict[str, int]) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(condition=LessThanOrEqual(Length(field), cap), name=f"{prefix}_{field}_max_length")
        for field, cap in caps.items()
    ]

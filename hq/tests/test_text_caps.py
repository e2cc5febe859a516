"""Every free text a person types has a cap, in the form and in the database."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from circonscriptions.models import Departement
from fiches.forms import LocalIssueForm
from fiches.models import Fiche
from hq.models import LocalIssue, Method

pytestmark = pytest.mark.django_db


def test_the_local_issue_form_refuses_a_description_beyond_its_cap_in_french():
    with translation.override("fr"):
        form = LocalIssueForm(data={"title": "Fermeture de la maternité", "description": "x" * 2_001})
        assert not form.is_valid()
        assert "au plus 2000 caractères" in str(form.errors["description"])


def _row(model):
    if model is LocalIssue:
        departement, _ = Departement.objects.get_or_create(code="29", defaults={"name": "Finistère"})
        return LocalIssue.objects.create(departement=departement, title="Test")
    return model.objects.first()  # the methods are seeded by a migration


@pytest.mark.parametrize(("model", "field", "cap"), [(LocalIssue, "description", 2_000), (Method, "script", 4_000)])
def test_the_database_refuses_a_text_beyond_its_cap_whatever_wrote_it(model, field, cap):
    # The admin, a script or a future API may skip the form: the column's CHECK still holds.
    row = _row(model)
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{field: "y" * (cap + 1)})
    model.objects.filter(pk=row.pk).update(**{field: "y" * cap})
    assert len(getattr(model.objects.get(pk=row.pk), field)) == cap


def test_the_fiche_texts_are_capped_in_the_form_and_the_table():
    names = {c.name for c in Fiche._meta.constraints}
    assert {"fiche_free_text_max_length", "fiche_targeting_notes_max_length"} <= names
    assert Fiche._meta.get_field("free_text").formfield().max_length == 8_000

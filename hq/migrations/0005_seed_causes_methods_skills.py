"""The standard list of themes/concerns, the common kinds of action, and a first list of skills.

Rows are matched by slug and only created when missing: HQ may rename them in the
admin, and running the migration again on a database that has them changes nothing.
"""

from django.db import migrations

CAUSES = [
    ("services-publics", "Services publics"),
    ("sante", "Santé"),
    ("ecole", "École"),
    ("transports", "Transports"),
    ("logement", "Logement"),
    ("pouvoir-d-achat", "Pouvoir d'achat"),
    ("securite", "Sécurité"),
    ("environnement", "Environnement"),
    ("emploi", "Emploi"),
    ("retraites", "Retraites"),
    ("salaires", "Salaires"),
    ("energie", "Énergie"),
    ("agriculture", "Agriculture"),
    ("democratie", "Démocratie"),
]

SKILLS = [
    ("la-poste", "La Poste"),
    ("hopital", "Hôpital, santé"),
    ("enseignement", "Enseignement"),
    ("syndicalisme", "Syndicalisme"),
    ("associatif", "Vie associative"),
    ("informatique", "Informatique"),
    ("graphisme", "Graphisme, affiches"),
    ("conduite", "Permis de conduire, voiture"),
    ("langues", "Langues étrangères"),
]


# The kinds of action an observation reports on; HQ writes their script and evidence in the admin.
METHODS = [
    ("porte-a-porte", "Porte-à-porte", 1),
    ("marche", "Marché", 2),
    ("tractage", "Tractage", 3),
    ("stand", "Stand, table", 4),
    ("reunion-publique", "Réunion publique", 5),
    ("phoning", "Appels téléphoniques", 6),
]


def seed(apps, schema_editor):
    Cause = apps.get_model("hq", "Cause")
    Skill = apps.get_model("hq", "Skill")
    Method = apps.get_model("hq", "Method")
    for slug, name in CAUSES:
        Cause.objects.get_or_create(slug=slug, defaults={"name": name, "is_standard": True})
    for slug, name, position in METHODS:
        Method.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})
    for slug, name in SKILLS:
        Skill.objects.get_or_create(slug=slug, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [
        ("hq", "0004_supporters_with_consent"),
    ]

    # Reversing leaves the rows: observations and fiches may point to them.
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

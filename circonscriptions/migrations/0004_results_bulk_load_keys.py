"""Results tables shaped for bulk loading (see models.Votes).

- The results' `election` foreign key loses its own index: the unique (election, …)
  index starts with it.
- The votes tables are recreated with (result, panel) as primary key and no foreign-key
  constraint in the database (the ORM keeps the relations). Django cannot turn a
  surrogate key into a composite one in place, hence drop and create: at this point the
  only votes are demo data, which `make run` reloads.
"""

import django.db.models.deletion
from django.db import migrations, models


def _votes_fields(result_model: str) -> list:
    return [
        ("panel", models.PositiveSmallIntegerField(verbose_name="panel number")),
        ("candidate", models.CharField(max_length=200, verbose_name="candidate or list")),
        ("votes", models.PositiveIntegerField(verbose_name="votes")),
        (
            "nuance",
            models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="circonscriptions.nuance",
            ),
        ),
        (
            "result",
            models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="votes",
                to=f"circonscriptions.{result_model}",
            ),
        ),
        (
            "pk",
            models.CompositePrimaryKey(
                "result", "panel", blank=True, editable=False, primary_key=True, serialize=False
            ),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("circonscriptions", "0003_import_upload_and_indicator_origin"),
    ]

    operations = [
        migrations.AlterField(
            model_name="pollingstationresult",
            name="election",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="polling_station_results",
                to="circonscriptions.election",
            ),
        ),
        migrations.AlterField(
            model_name="circonscriptionresult",
            name="election",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="circonscription_results",
                to="circonscriptions.election",
            ),
        ),
        migrations.DeleteModel(name="PollingStationVotes"),
        migrations.DeleteModel(name="CirconscriptionVotes"),
        migrations.CreateModel(name="PollingStationVotes", fields=_votes_fields("pollingstationresult")),
        migrations.CreateModel(name="CirconscriptionVotes", fields=_votes_fields("circonscriptionresult")),
    ]

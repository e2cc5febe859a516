"""Election law on the methods that gather voters (the fête, the public meeting), and no
« à vérifier » left in the catalogue's evidence and sources.

Warnings (Code électoral): L106 punishes gifts, in money or in kind, made to influence a
vote; L52-8 caps a person's donations to a campaign (4 600 € per election) and forbids any
legal person other than a party to give or lend anything; L52-12 puts every expense made for
the election (room, sound, food, even lent or given) in the candidate's campaign account. A
warning is written only while the field is empty (what HQ wrote in the admin stays).

Evidence and sources: each passage marked « à vérifier » by migration 0006 is replaced by
what the publication says, or removed when it could not be checked (figures whose edition
was unknown). Nickerson's article is « Quality Is Job One: Professional and Volunteer Voter
Mobilization Calls », American Journal of Political Science 51(2), 2007. A text is changed
only where it still holds the seeded passage: HQ's own edits stay.
"""

from django.db import migrations

CAMPAIGN_ACCOUNTS = (
    "En période électorale, tout ce que coûte l'événement (salle, sono, matériel, nourriture, même "
    "prêtés ou offerts) est une dépense de campagne : la déclarer au mandataire du candidat pour le "
    "compte de campagne (Code électoral, art. L52-12). Seules des personnes physiques peuvent y contribuer, "
    "4 600 € au plus par élection ; ni commune, ni entreprise, ni association ne peut payer, offrir ou "
    "prêter quoi que ce soit à des conditions de faveur : une salle municipale se loue aux conditions "
    "habituelles, les mêmes pour tous (art. L52-8)."
)

WARNINGS = {
    "fete": (
        "Droit électoral. Offrir à manger, à boire, des cadeaux ou des lots pour obtenir des voix est un "
        "délit (Code électoral, art. L106 : dons et libéralités faits en vue d'influencer le vote, deux "
        "ans d'emprisonnement et 15 000 € d'amende). La fête reste ouverte à tous et sans lien avec le "
        "vote : un repas ou un goûter modeste, pas de cadeaux ni de lots de valeur, aucune consigne de vote "
        "en échange de quoi que ce soit.\n\n" + CAMPAIGN_ACCOUNTS
    ),
    "reunion-publique": (
        "Droit électoral. Un pot après la réunion reste modeste et ouvert à tous, sans rien offrir qui "
        "puisse passer pour un avantage fait en vue du vote (Code électoral, art. L106).\n\n" + CAMPAIGN_ACCOUNTS
    ),
}

# (slug, field, passage seeded by 0006, its replacement)
CORRECTIONS = [
    (
        "porte-a-porte",
        "evidence",
        " Ordre de grandeur de l'effet par porte ouverte : à vérifier dans l'article.",
        "",
    ),
    (
        "porte-a-porte",
        "evidence",
        " en tête des méthodes pour faire voter : environ une voix supplémentaire pour une quinzaine de "
        "personnes rencontrées (chiffre selon l'édition : à vérifier).",
        " en tête des méthodes pour faire voter.",
    ),
    (
        "marche",
        "evidence",
        "son intérêt tient surtout à la visibilité et au recrutement de sympathisants (à vérifier par nos "
        "propres observations).",
        "son intérêt tient surtout à la visibilité et au recrutement de sympathisants.",
    ),
    (
        "tractage",
        "evidence",
        ", bien moindre qu'une conversation en face à face (ordre de grandeur : à vérifier dans l'édition "
        "utilisée).",
        ", bien moindre qu'une conversation en face à face.",
    ),
    (
        "stand",
        "evidence",
        "Pas d'évaluation expérimentale connue de son effet électoral (à vérifier) :",
        "Nous ne connaissons pas d'évaluation expérimentale de son effet électoral :",
    ),
    (
        "reunion-publique",
        "evidence",
        "leur effet électoral direct n'est pas établi par des expériences (à vérifier).",
        "à notre connaissance, aucune expérience n'a établi leur effet électoral direct.",
    ),
    (
        "phoning",
        "evidence",
        "l'effet reste inférieur à celui d'une visite (ordre de grandeur : à vérifier). Nickerson (2006) "
        "montre que la qualité de la conversation compte plus que le nombre d'appels (à vérifier).",
        "l'effet reste inférieur à celui d'une visite. Nickerson (2007) montre que ce qui compte est la "
        "qualité de la conversation, plus que le fait que l'appelant soit bénévole ou salarié.",
    ),
    (
        "phoning",
        "sources",
        "David W. Nickerson, travaux sur les appels de bénévoles (« Quality Is Job One », 2006/2007 : "
        "référence à vérifier).",
        "David W. Nickerson, « Quality Is Job One: Professional and Volunteer Voter Mobilization Calls », "
        "American Journal of Political Science 51(2), 2007.",
    ),
    (
        "fete",
        "evidence",
        " (Addonizio, Green et Glaser, 2007 ; ampleur de l'effet : à vérifier). En France, pas d'évaluation "
        "connue (à vérifier).",
        " (Addonizio, Green et Glaser, 2007). Nous ne connaissons pas d'évaluation en France.",
    ),
]


def apply(apps, schema_editor):
    Method = apps.get_model("hq", "Method")
    methods = {m.slug: m for m in Method.objects.filter(slug__in={c[0] for c in CORRECTIONS} | set(WARNINGS))}
    changed: dict[str, set[str]] = {}
    for slug, warning in WARNINGS.items():
        method = methods.get(slug)
        if method is not None and not method.legal_warning:
            method.legal_warning = warning
            changed.setdefault(slug, set()).add("legal_warning")
    for slug, field, seeded, corrected in CORRECTIONS:
        method = methods.get(slug)
        # Only where the seeded passage is still there: a text HQ rewrote is theirs.
        if method is not None and seeded in getattr(method, field):
            setattr(method, field, getattr(method, field).replace(seeded, corrected))
            changed.setdefault(slug, set()).add(field)
    for slug, fields in changed.items():
        methods[slug].save(update_fields=sorted(fields))


class Migration(migrations.Migration):
    dependencies = [
        ("hq", "0008_method_legal_warning_field"),
    ]

    # Reversing keeps the corrected texts and warnings: fiches already printed them.
    operations = [migrations.RunPython(apply, migrations.RunPython.noop)]

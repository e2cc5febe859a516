"""The method catalogue's content: practical script, evidence and sources of each kind of action.

Migration 0005 created the methods by slug with their names only; this one writes
what the fiches militantes print about them, and adds the cultural event. A field is
only written while it is still empty, so what HQ has since written in the admin stays.

Evidence is stated in words; a figure appears only where the source is certain, and
what remains to be checked against the publication is marked « à vérifier ».
`suits` uses the vocabulary of the profiles: left, right, swing (leanings of polling
stations) and abstention (abstention hotspots).
"""

from django.db import migrations

METHODS = [
    {
        "slug": "porte-a-porte",
        "name": "Porte-à-porte",
        "position": 1,
        "summary": "Frapper aux portes des bureaux prioritaires, en binôme, pour une conversation courte.",
        "script": (
            "En binôme, avec la liste des rues du bureau prioritaire et un tract à laisser.\n\n"
            "Viser 3 portes par immeuble et par étage parcouru, puis passer au suivant : mieux vaut couvrir "
            "tout le bureau que finir un seul immeuble.\n\n"
            "Commencer par se présenter (prénom, « militants du parti, on passe dans le quartier »), puis "
            "demander ce qui préoccupe la personne ici, dans le quartier. Écouter d'abord ; répondre ensuite "
            "avec un enjeu local de la fiche.\n\n"
            "Finir en rappelant la date du scrutin et le bureau de vote, et laisser le tract.\n\n"
            "Jamais plus de 5 minutes par porte. Ne jamais noter le nom ni l'opinion d'une personne : la fiche "
            "d'observation ne compte que des portes, des conversations et des thèmes."
        ),
        "evidence": (
            "En France, la campagne de porte-à-porte de 2012 (présidentielle et législatives) a été évaluée par "
            "une expérience aléatoire à l'échelle du pays (Pons, 2018) : les visites ont modifié les parts de "
            "voix du candidat plutôt que la participation, et l'effet se retrouvait aux législatives suivantes. "
            "Ordre de grandeur de l'effet par porte ouverte : à vérifier dans l'article.\n\n"
            "Aux États-Unis, les méta-analyses de Green et Gerber (Get Out the Vote) placent le porte-à-porte "
            "en tête des méthodes pour faire voter : environ une voix supplémentaire pour une quinzaine de "
            "personnes rencontrées (chiffre selon l'édition : à vérifier). Les conversations approfondies, où "
            "l'on écoute l'expérience de la personne, ont eu des effets durables (Broockman et Kalla, 2016) ; "
            "en revanche, en fin de campagne générale, les contacts changent peu les choix (Kalla et "
            "Broockman, 2018)."
        ),
        "sources": (
            "Vincent Pons, « Will a Five-Minute Discussion Change Your Mind? A Countrywide Experiment on Voter "
            "Choice in France », American Economic Review 108(6), 2018. — Donald P. Green et Alan S. Gerber, "
            "Get Out the Vote: How to Increase Voter Turnout, Brookings Institution Press (4e éd. 2019). — "
            "David Broockman et Joshua Kalla, « Durably reducing transphobia: A field experiment on "
            "door-to-door canvassing », Science 352, 2016. — Joshua Kalla et David Broockman, « The Minimal "
            "Persuasive Effects of Campaign Contact in General Elections », American Political Science "
            "Review 112(1), 2018."
        ),
        "suits": ["left", "swing", "abstention"],
    },
    {
        "slug": "marche",
        "name": "Marché",
        "position": 2,
        "summary": "Une table au marché du quartier : être vus, discuter, recruter des sympathisants.",
        "script": (
            "Demander l'autorisation au placier ou à la mairie si nécessaire ; s'installer à un passage, pas "
            "au bout de l'allée.\n\n"
            "À trois ou quatre : deux à la table, les autres vont au-devant des passants avec un tract court "
            "sur un enjeu local de la fiche.\n\n"
            "Ouvrir par une question sur le quartier (« qu'est-ce qui manque ici ? ») plutôt que par un "
            "slogan. Proposer aux personnes intéressées de laisser leur contact, avec leur accord écrit.\n\n"
            "Une heure et demie suffit aux heures d'affluence ; noter ensuite la fiche d'observation."
        ),
        "evidence": (
            "Peu d'expériences mesurent l'effet électoral d'un stand de marché : son intérêt tient surtout à la "
            "visibilité et au recrutement de sympathisants (à vérifier par nos propres observations). Les "
            "chiffres de QG (conversations par heure, personnes intéressées) diront où il marche."
        ),
        "sources": "Observations des militants dans QG (fiches d'observation).",
        "suits": ["left", "swing", "right"],
    },
    {
        "slug": "tractage",
        "name": "Tractage",
        "position": 3,
        "summary": "Distribuer un tract court aux sorties de transport, devant les écoles, ou dans les boîtes.",
        "script": (
            "Un tract court : un enjeu local, une proposition, une date. Choisir l'heure de passage (sortie "
            "du métro ou du bus le matin, sortie d'école l'après-midi).\n\n"
            "Tendre le tract en disant une phrase, sans insister ; répondre volontiers à qui s'arrête.\n\n"
            "Dans les boîtes aux lettres, respecter les « stop pub ». Compter les tracts distribués pour la "
            "fiche d'observation."
        ),
        "evidence": (
            "Selon les synthèses de Green et Gerber, tracts et courriers impersonnels ont un effet faible sur "
            "la participation, bien moindre qu'une conversation en face à face (ordre de grandeur : à "
            "vérifier dans l'édition utilisée). Le tract sert surtout d'appui aux autres méthodes."
        ),
        "sources": (
            "Donald P. Green et Alan S. Gerber, Get Out the Vote: How to Increase Voter Turnout, "
            "Brookings Institution Press (4e éd. 2019)."
        ),
        "suits": ["left", "swing", "right", "abstention"],
    },
    {
        "slug": "stand",
        "name": "Stand, table",
        "position": 4,
        "summary": "Une table sur une place passante, devant un centre commercial ou une gare.",
        "script": (
            "Choisir un lieu de passage et un créneau d'affluence ; prévoir une banderole lisible de loin.\n\n"
            "Comme au marché : aller au-devant des gens, ouvrir par une question sur le quartier, proposer "
            "de laisser un contact avec un accord écrit. Pas plus de deux heures."
        ),
        "evidence": (
            "Pas d'évaluation expérimentale connue de son effet électoral (à vérifier) : il vaut par les "
            "contacts et les sympathisants qu'il apporte, que mesurent les fiches d'observation."
        ),
        "sources": "Observations des militants dans QG (fiches d'observation).",
        "suits": ["left", "swing"],
    },
    {
        "slug": "reunion-publique",
        "name": "Réunion publique, débat",
        "position": 5,
        "summary": "Un débat dans le quartier sur un enjeu local, avec des habitants et des acteurs du terrain.",
        "script": (
            "Un seul sujet, local et concret (l'hôpital, une ligne de bus, le logement). Inviter des "
            "personnes concernées (soignants, usagers, associations) plutôt que seulement des élus.\n\n"
            "Annoncer la réunion par porte-à-porte et tractage dans les bureaux voisins ; prévoir une salle "
            "accessible.\n\n"
            "Donner la parole à la salle tôt ; finir sur une action à laquelle chacun peut participer, et "
            "proposer de laisser un contact avec un accord écrit."
        ),
        "evidence": (
            "Les réunions touchent surtout des personnes déjà convaincues : leur effet électoral direct n'est "
            "pas établi par des expériences (à vérifier). Elles servent à former et mobiliser les militants "
            "et à faire connaître un enjeu local."
        ),
        "sources": "Observations des militants dans QG (fiches d'observation).",
        "suits": ["left", "swing"],
    },
    {
        "slug": "phoning",
        "name": "Appels téléphoniques",
        "position": 6,
        "summary": "Appeler les sympathisants qui l'ont accepté, pour les inviter à une action ou rappeler le vote.",
        "script": (
            "N'appeler que des personnes qui ont donné leur accord pour être recontactées.\n\n"
            "Se présenter, rappeler où l'on s'est rencontrés, proposer une chose précise (une action, une "
            "date, le rappel du scrutin et du bureau de vote). Parler naturellement, sans réciter.\n\n"
            "Deux minutes suffisent ; noter seulement si la personne veut venir, jamais son opinion."
        ),
        "evidence": (
            "Selon Green et Gerber, les appels de bénévoles sur un ton de conversation font voter un peu plus, "
            "alors que les appels automatiques n'ont guère d'effet ; l'effet reste inférieur à celui d'une "
            "visite (ordre de grandeur : à vérifier). Nickerson (2006) montre que la qualité de la "
            "conversation compte plus que le nombre d'appels (à vérifier)."
        ),
        "sources": (
            "Donald P. Green et Alan S. Gerber, Get Out the Vote: How to Increase Voter Turnout, "
            "Brookings Institution Press (4e éd. 2019). — David W. Nickerson, travaux sur les appels "
            "de bénévoles (« Quality Is Job One », 2006/2007 : référence à vérifier)."
        ),
        "suits": ["left", "abstention"],
    },
    {
        "slug": "fete",
        "name": "Fête, événement culturel",
        "position": 7,
        "summary": "Une fête de quartier (concert, repas, jeux) ouverte à tous, avant le scrutin.",
        "script": (
            "Dans le quartier prioritaire, un lieu ouvert et gratuit ; prévoir de quoi accueillir les "
            "familles. Pas de discours long : une prise de parole courte, une table d'information.\n\n"
            "Inviter par porte-à-porte dans les bureaux voisins ; rappeler la date du scrutin.\n\n"
            "Profiter de l'événement pour proposer aux personnes intéressées de laisser un contact, avec "
            "leur accord écrit."
        ),
        "evidence": (
            "Une expérience américaine de fêtes organisées près des bureaux de vote a mesuré une hausse de "
            "la participation (Addonizio, Green et Glaser, 2007 ; ampleur de l'effet : à vérifier). En "
            "France, pas d'évaluation connue (à vérifier)."
        ),
        "sources": (
            "Elizabeth M. Addonizio, Donald P. Green et James M. Glaser, « Putting the Party Back into "
            "Politics: An Experiment Testing Whether Election Day Festivals Increase Voter Turnout », "
            "PS: Political Science & Politics 40(4), 2007."
        ),
        "suits": ["abstention", "left"],
    },
]

TEXT_FIELDS = ["summary", "script", "evidence", "sources"]


def seed(apps, schema_editor):
    Method = apps.get_model("hq", "Method")
    for data in METHODS:
        method, created = Method.objects.get_or_create(
            slug=data["slug"], defaults={k: v for k, v in data.items() if k != "slug"}
        )
        if created:
            continue
        changed = [f for f in TEXT_FIELDS if not getattr(method, f)]
        for field in changed:
            setattr(method, field, data[field])
        if not method.suits:
            method.suits = data["suits"]
            changed.append("suits")
        if changed:
            method.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [
        ("hq", "0005_seed_causes_methods_skills"),
    ]

    # Reversing leaves the texts: fiches already printed them.
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

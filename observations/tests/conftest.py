"""A small territory of their own for the observations tests: a commune of Finistère with
two square polling stations (real PostGIS geometries), one of Paris, members of both
federations, and the catalogue rows the form offers.

Everything is fetched or created (get_or_create), so that the fixtures may be combined
freely. No other module's data is ever in the database (see `committed_data` in the root
conftest): the squares may lie anywhere; they sit off Finistère, whose real contours no
observations test loads.
"""

import itertools
import uuid

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.utils import timezone

from circonscriptions.models import Circonscription, Commune, CommuneShape, PollingStation, PollingStationShape
from hq.models import Cause, Federation, Membership, Method, Role, Skill, User

_n = itertools.count()


def square(lon: float, lat: float, size: float = 0.01) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((lon, lat, lon + size, lat + size)), srid=4326)


@pytest.fixture(autouse=True)
def _fresh_catalogue():
    """The form keeps methods and causes for a minute per process; tests create their own rows."""
    from observations import forms

    forms._catalogue["at"] = -forms.CATALOGUE_SECONDS
    yield
    forms._catalogue["at"] = -forms.CATALOGUE_SECONDS


@pytest.fixture
def catalogue(db) -> dict:
    methods = {
        slug: Method.objects.get_or_create(slug=slug, defaults={"name": name, "position": i})[0]
        for i, (slug, name) in enumerate([("porte-a-porte", "Porte-à-porte"), ("marche", "Marché")])
    }
    causes = {
        slug: Cause.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in [("logement", "Logement"), ("sante", "Santé"), ("transports", "Transports")]
    }
    skills = {"la-poste": Skill.objects.get_or_create(slug="la-poste", defaults={"name": "La Poste"})[0]}
    return {"methods": methods, "causes": causes, "skills": skills}


@pytest.fixture
def place(departements) -> dict:
    """Commune 29990 « Lanvéoc-test » (circonscription 2990) with bureaux 1 and 2 side by side,
    and commune 75990 in Paris with bureau 1."""
    circo, _ = Circonscription.objects.get_or_create(
        code="2990", defaults={"departement": departements["29"], "number": 90, "name": "Circonscription de test"}
    )
    commune, _ = Commune.objects.get_or_create(
        code="29990", defaults={"name": "Lanvéoc-test", "departement": departements["29"]}
    )
    commune.circonscriptions.add(circo)
    CommuneShape.objects.get_or_create(commune=commune, defaults={"geom": square(-5.60, 47.50, 0.02)})
    stations = {}
    for code, lon in (("1", -5.60), ("2", -5.59)):
        station, _ = PollingStation.objects.get_or_create(
            commune=commune, code=code, defaults={"name": f"École {code}", "circonscription": circo}
        )
        PollingStationShape.objects.get_or_create(polling_station=station, defaults={"geom": square(lon, 47.50)})
        stations[code] = station
    paris, _ = Commune.objects.get_or_create(
        code="75990", defaults={"name": "Paris-test", "departement": departements["75"]}
    )
    paris_station, _ = PollingStation.objects.get_or_create(commune=paris, code="1")
    PollingStationShape.objects.get_or_create(polling_station=paris_station, defaults={"geom": square(2.35, 48.85)})
    return {
        "circonscription": circo,
        "commune": commune,
        "stations": stations,
        "paris": paris,
        "paris_station": paris_station,
    }


@pytest.fixture
def federations(departements) -> dict[str, Federation]:
    return {
        code: Federation.objects.get_or_create(departement=departements[code], defaults={"name": f"Fédération {code}"})[
            0
        ]
        for code in ("29", "75")
    }


@pytest.fixture
def make_member(federations):
    def make(role: str, code: str | None = None, name: str = "") -> User:
        email = f"{role}{code or ''}-{next(_n)}-{uuid.uuid4().hex[:6]}@example.org"
        user = User.objects.create_user(email, "pw", full_name=name)
        Membership.objects.create(
            user=user,
            role=role,
            federation=federations[code] if code else None,
            consent_text="J'accepte.",
            consent_at=timezone.now(),
        )
        return user

    return make


@pytest.fixture
def activist(make_member) -> User:
    return make_member(Role.ACTIVIST, "29", name="Anne Militante")


def form_data(catalogue, place, **overrides) -> dict:
    """What the phone form posts for a door-to-door session in bureau 1."""
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "action": "Porte-à-porte du samedi",
        "held_on": timezone.localdate().isoformat(),
        "commune": str(place["commune"].pk),
        "polling_stations": [str(place["stations"]["1"].pk)],
        "method": str(catalogue["methods"]["porte-a-porte"].pk),
        "themes": [str(catalogue["causes"]["logement"].pk)],
        "doors_knocked": "40",
        "doors_opened": "18",
        "conversations": "11",
        "interested": "4",
        "leaflets": "35",
        "reaction": "4",
        "reaction_text": "Accueil plutôt chaleureux dans les tours.",
        "concerns": [str(catalogue["causes"]["sante"].pk)],
        "concerns_other": "Fermeture du bureau de poste, Logement social",
        "worked": "Commencer par la santé.",
        "did_not_work": "Sonner après 20 h.",
        "supporters-TOTAL_FORMS": "1",
        "supporters-INITIAL_FORMS": "0",
        "supporters-MIN_NUM_FORMS": "0",
        "supporters-MAX_NUM_FORMS": "10",
    }
    data.update(overrides)
    return data

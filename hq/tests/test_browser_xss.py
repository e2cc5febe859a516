"""Names are text, never markup: an XSS payload in every name QG renders stays inert in chromium.

Every name an admin, an importer or a member can type — circonscription, commune, bureau
(name and polling place), federation, member, sympathiser, cause, method, fiche title,
local issue, field quote — carries two payloads, one for HTML content and one that closes
an attribute. Each page that shows them is opened (tables, lists, selects, map tooltips
opened one by one) and `window.__xss` must stay undefined, with no dialog.

Transactional (the live server reads committed rows): Django empties the tables after it.
"""

import uuid

import pytest
from django.conf import settings
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.test import Client
from django.utils import timezone

from circonscriptions.models import (
    Circonscription,
    CirconscriptionShape,
    Commune,
    CommuneShape,
    Departement,
    PollingStation,
    PollingStationShape,
)
from hq.models import Cause, Federation, Membership, Method, Role, Supporter, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = '<img src=x onerror="window.__xss=1">"><script>window.__xss=1</script>'
BUREAUX = ("27", "28")


def _square(lon: float, lat: float, size: float) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((lon, lat, lon + size, lat + size)), srid=4326)


def _member(role: str, federation: Federation | None, name: str) -> User:
    user = User.objects.create_user(f"{role}-{uuid.uuid4().hex[:8]}@example.org", "pw", full_name=name)
    Membership.objects.create(
        user=user, role=role, federation=federation, consent_text="J'accepte.", consent_at=timezone.now()
    )
    return user


@pytest.fixture
def poisoned():
    """A territory, people, catalogue, observation and fiche whose every name carries the payloads."""
    from circonscriptions.profiles.services import profiles_recompute
    from circonscriptions.tests.profile_data import lg2024_rows, store_results
    from fiches.services import fiche_create, fiche_publish, local_issue_create
    from observations.models import Observation, Quote

    dept = Departement.objects.create(code="29", name=f"Dépt {PAYLOAD}")
    circo = Circonscription.objects.create(code="2902", departement=dept, number=2, name=f"Circo {PAYLOAD}")
    CirconscriptionShape.objects.create(circonscription=circo, geom=_square(-4.50, 48.38, 0.04))
    commune = Commune.objects.create(code="29019", name=f"Commune {PAYLOAD}", departement=dept)
    commune.circonscriptions.add(circo)
    CommuneShape.objects.create(commune=commune, geom=_square(-4.50, 48.38, 0.04))
    for i, code in enumerate(BUREAUX):
        station = PollingStation.objects.create(
            commune=commune, code=code, circonscription=circo, name=f"Bureau {PAYLOAD}", place=f"Lieu {PAYLOAD}"
        )
        PollingStationShape.objects.create(polling_station=station, geom=_square(-4.50 + 0.02 * i, 48.38, 0.02))
    store_results(lg2024_rows({("29019", code) for code in BUREAUX}))
    profiles_recompute()

    federation = Federation.objects.create(departement=dept, name=f"Fédé {PAYLOAD}")
    federal = _member(Role.FEDERAL_HQ, federation, f"Fédéral {PAYLOAD}")
    activist = _member(Role.ACTIVIST, federation, f"Militant {PAYLOAD}")
    national = _member(Role.NATIONAL_HQ, None, f"National {PAYLOAD}")
    method = Method.objects.create(slug="xss-methode", name=f"Méthode {PAYLOAD}", suits=["left", "swing"])
    cause = Cause.objects.create(slug="xss-cause", name=f"Cause {PAYLOAD}", is_standard=True)
    supporter = Supporter.objects.create(
        name=f"Sympathisant {PAYLOAD}", email="sam@example.org", federation=federation,
        consent_text="J'accepte.", consent_at=timezone.now(),
    )  # fmt: skip
    observation = Observation.objects.create(
        idempotency_key=uuid.uuid4(), filed_by=activist, held_on=timezone.localdate(), departement=dept,
        commune=commune, circonscription=circo, method=method, reaction=4, doors_knocked=20, doors_opened=10,
        conversations=5, action=f"Action {PAYLOAD}", reaction_text=f"Réaction {PAYLOAD}",
        worked=f"Marché {PAYLOAD}", concerns_other=[f"autre {PAYLOAD}"],
    )  # fmt: skip
    observation.polling_stations.set(PollingStation.objects.filter(commune=commune))
    observation.concerns.add(cause)
    observation.activists.add(activist)
    observation.supporters.add(supporter)
    Quote.objects.create(observation=observation, field="reaction_text", status="approved", text=f"Cité {PAYLOAD}")
    fiche = fiche_create(circonscription=circo, title=f"Fiche {PAYLOAD}", by=national)
    fiche.methods.set([method])
    local_issue_create(
        fiche=fiche, title=f"Enjeu {PAYLOAD}", description=f"Texte {PAYLOAD}", causes=[cause], by=national
    )
    # Published: activists read the version's stored HTML, rendered once from these names.
    fiche_publish(fiche=fiche, by=national)
    return {
        "national": national,
        "federal": federal,
        "activist": activist,
        "supporter": supporter,
        "observation": observation,
        "fiche": fiche,
        "station": PollingStation.objects.get(commune=commune, code=BUREAUX[0]),
    }


def _log_in(page, user, live_server) -> None:
    page.context.clear_cookies()
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


# Leaflet builds a tooltip's content when it opens: open each one, as a mouse would.
OPEN_TOOLTIPS = """() => {
  const paths = Array.from(document.querySelectorAll('.leaflet-container path.leaflet-interactive')).slice(0, 30);
  paths.forEach(p => {
    p.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
    p.dispatchEvent(new MouseEvent('mouseout', {bubbles: true}));
  });
  paths.forEach(p => p.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})));
  return paths.length;
}"""


def _visit(page, path: str, *, maps: bool = False, wait_for: str | None = None) -> int:
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    if wait_for:
        page.locator(wait_for).first.wait_for(state="attached")
    opened = 0
    if maps:
        page.locator(".leaflet-container path.leaflet-interactive").first.wait_for(state="attached")
        opened = page.evaluate(OPEN_TOOLTIPS)
        page.locator(".leaflet-tooltip").first.wait_for(state="attached")
    page.wait_for_timeout(50)  # an <img onerror> fires once its request fails
    assert page.evaluate("window.__xss") is None, f"script ran from a name on {path}"
    return opened


def test_a_script_in_any_name_stays_text_on_every_page_that_shows_names(page, live_server, poisoned):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    station, fiche, observation = poisoned["station"], poisoned["fiche"], poisoned["observation"]

    _log_in(page, poisoned["national"], live_server)
    assert _visit(page, "/carte/", maps=True) >= 1  # overview: map tooltips and the table
    assert "Circo <img" in page.locator("main").inner_text()  # the name is shown, as text
    _visit(page, "/carte/circonscription/2902/", maps=True)
    assert "Commune <img" in page.locator(".leaflet-tooltip").first.inner_text()
    _visit(page, f"/carte/bureau/{station.pk}/")
    _visit(page, "/observations/", maps=True)
    assert "Commune <img" in page.locator(".leaflet-tooltip").first.inner_text()
    _visit(page, f"/observations/{observation.pk}/")
    assert "Sympathisant <img" in page.locator("main").inner_text()
    _visit(page, "/observations/participants/")
    _visit(page, "/observations/synthese/")
    _visit(page, "/observations/citations/")
    _visit(page, f"/fiches/{fiche.pk}/", maps=True)
    assert "Fiche <img" in page.locator("main").inner_text()
    _visit(page, f"/fiches/{fiche.pk}/apercu/")
    _visit(page, f"/fiches/{fiche.pk}/modifier/")
    _visit(page, "/fiches/")
    _visit(page, "/qg/")
    _visit(page, f"/personnes/sympathisant/{poisoned['supporter'].pk}/")

    _log_in(page, poisoned["federal"], live_server)
    _visit(page, "/federation/29/")
    assert "Militant <img" in page.locator("main").inner_text()
    # The form's lists: communes, methods, causes, activists; the bureaux loaded by script.
    _visit(page, "/observations/nouvelle/")
    page.select_option("select[name=commune]", str(station.commune_id))
    page.locator(f"select[name=polling_stations] option[value='{station.pk}']").wait_for(state="attached")
    assert "Bureau <img" in page.locator(f"select[name=polling_stations] option[value='{station.pk}']").inner_text()
    assert page.evaluate("window.__xss") is None

    _log_in(page, poisoned["activist"], live_server)
    _visit(page, "/militant/")
    _visit(page, f"/fiches/{fiche.pk}/", maps=True)
    assert dialogs == []

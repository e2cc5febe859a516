"""On a phone, the tables an activist reads in the street (the bureaux of a circonscription,
a bureau's vote history and facts) become cards: one card per row, each figure named by its
column. HQ's analyst tables (the national ranking) keep scrolling sideways with their cue.

The browser test is transactional (the live server reads committed rows): Django empties
the tables after it, and the root conftest puts the migrations' seeds back.
"""

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from circonscriptions.models import Departement, PollingStation
from circonscriptions.profiles.services import profiles_recompute
from circonscriptions.tests.profile_data import lg2024_rows, store_results
from conftest import ARTIFACTS
from hq.models import Federation, Membership, Role, User

BUREAUX = {("29019", str(n)) for n in range(27, 47)}  # Brest bureaux of the 2nd circonscription


def _activist() -> User:
    departement = Departement.objects.get(code="29")
    federation, _ = Federation.objects.get_or_create(departement=departement, defaults={"name": "Féd. 29"})
    user = User.objects.create_user("militante-cartes@example.org", "pw-test-2026")
    Membership.objects.create(
        user=user, role=Role.ACTIVIST, federation=federation, consent_text="J'accepte.", consent_at=timezone.now()
    )
    return user


class _CardTables(HTMLParser):
    """For each table inside a `.phone-cards` box: its column headers and, per body row, the
    cells' data-label attributes (None for a cell without one)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._depth = 0  # > 0 inside a .phone-cards box
        self._where: str | None = None
        self._header: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "div" and "phone-cards" in (found.get("class") or "").split():
            self._depth = 1
            return
        if not self._depth:
            return
        if tag == "div":
            self._depth += 1
        elif tag == "table":
            self.tables.append({"headers": [], "rows": []})
        elif tag in ("thead", "tbody"):
            self._where = tag
        elif tag == "tr" and self._where == "tbody":
            self.tables[-1]["rows"].append([])
        elif tag == "th" and self._where == "thead":
            self._header = []
        elif tag == "td" and self._where == "tbody":
            self.tables[-1]["rows"][-1].append(found.get("data-label"))

    def handle_endtag(self, tag: str) -> None:
        if not self._depth:
            return
        if tag == "div":
            self._depth -= 1
        elif tag == "th" and self._header is not None:
            self.tables[-1]["headers"].append(" ".join("".join(self._header).split()))
            self._header = None

    def handle_data(self, data: str) -> None:
        if self._header is not None:
            self._header.append(data)


def _card_tables(html: str) -> list[dict]:
    parser = _CardTables()
    parser.feed(html)
    return parser.tables


@pytest.mark.django_db
def test_every_cell_of_a_card_table_is_labelled_with_its_column_header(client):
    store_results(lg2024_rows(BUREAUX))
    profiles_recompute()
    client.force_login(_activist())

    bureaux = _card_tables(client.get("/carte/circonscription/2902/").content.decode())
    assert len(bureaux) == 1
    [table] = bureaux
    assert len(table["rows"]) == 20 and len(table["headers"]) == 16
    assert table["headers"][4] == "Priorité (voix pour 20 h)"
    # Every cell names its own column, in the header's words.
    assert all(row == table["headers"] for row in table["rows"])

    station = PollingStation.objects.get(commune__code="29019", code="27")
    history, *_facts = _card_tables(client.get(f"/carte/bureau/{station.pk}/").content.decode())
    assert history["headers"][0] == "Élection" and history["rows"]
    # The election is the row's header (the card's title); the figures are named.
    assert all(row == history["headers"][1:] for row in history["rows"])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page", [(360, 740)], indirect=True)
def test_on_a_360_px_phone_the_bureaux_are_cards_that_name_their_figures_and_nothing_overflows(page, live_server):
    store_results(lg2024_rows(BUREAUX))
    profiles_recompute()
    client = Client()
    client.force_login(_activist())
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )

    def overflow() -> int:
        return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")

    def label_of(cell) -> str:
        return cell.evaluate("c => getComputedStyle(c, '::before').content")

    page.goto("/carte/circonscription/2902/")
    page.wait_for_load_state("load")
    assert overflow() == 0
    table = page.locator(".phone-cards table")
    assert not table.locator("thead").is_visible()
    first = table.locator("tbody tr").first
    # One card per bureau, as wide as the screen allows, nothing hidden sideways.
    box = first.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    priority = first.locator("td").nth(4)
    assert priority.is_visible()
    assert label_of(priority) == '"Priorité (voix pour 20 h)"'
    assert label_of(first.locator("td").nth(1)) == '"Bureau de vote"'
    # The label sits on the same line as its figure, left of it.
    label_box = priority.bounding_box()
    assert label_box is not None and label_box["width"] <= 360
    wrap = page.locator(".phone-cards")
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "bureaux-cards-360x740.png"))

    station = PollingStation.objects.get(commune__code="29019", code="27")
    page.goto(f"/carte/bureau/{station.pk}/")
    page.wait_for_load_state("load")
    assert overflow() == 0
    history = page.locator(".phone-cards table").first.locator("tbody tr").first
    assert history.locator("th").is_visible()
    assert label_of(history.locator("td").first) == '"Inscrits"'

    # HQ's analyst table, the national ranking, still scrolls inside its box with its cue,
    # and the page itself does not.
    page.goto("/carte/")
    page.wait_for_load_state("load")
    assert overflow() == 0
    ranking = page.locator(".table-wrap").first
    assert ranking.evaluate("w => getComputedStyle(w).overflowX") == "auto"
    assert ranking.locator("thead").is_visible()
    assert ranking.evaluate("w => w.scrollWidth > w.clientWidth")

    # On a wide screen the bureaux are a table again, with its sort buttons.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/carte/circonscription/2902/")
    page.wait_for_load_state("load")
    assert page.locator(".phone-cards thead").is_visible()
    assert page.locator(".phone-cards tbody td").first.evaluate("c => getComputedStyle(c).display") == "table-cell"

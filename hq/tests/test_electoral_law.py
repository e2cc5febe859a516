"""The electoral silence of the Code électoral (L49), around its boundaries, and which elections apply where."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from circonscriptions.models import Election
from hq.electoral_law import (
    ElectionDay,
    election_label,
    electoral_silence,
    french_date,
    next_polling,
    next_polling_at,
    silence_at,
)

PARIS = ZoneInfo("Europe/Paris")
SUNDAY = dt.date(2027, 6, 13)  # a Sunday
LEGISLATIVES = ElectionDay(
    slug="legislatives-2027-1", label="Législatives 2027, 1er tour", kind="legislatives", date=SUNDAY
)


def paris(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2027, 6, day, hour, minute, tzinfo=PARIS)


def test_the_test_polling_day_is_a_sunday():
    assert SUNDAY.weekday() == 6


@pytest.mark.parametrize(
    ("at", "silent"),
    [
        (paris(11, 23, 59), False),  # Friday 23:59: still allowed
        (paris(12, 0, 0), True),  # Saturday 00:00: the eve of the vote, silence
        (paris(12, 15, 0), True),
        (paris(13, 19, 59), True),  # Sunday 19:59: polls still open
        (paris(13, 20, 0), False),  # Sunday 20:00: polls closed
        (paris(14, 9, 0), False),
    ],
)
def test_the_silence_runs_from_saturday_midnight_to_the_close_of_the_polls_in_paris(at, silent):
    silence = silence_at(at, "29", [LEGISLATIVES])
    assert (silence is not None) is silent
    if silent:
        assert silence.election == LEGISLATIVES
        assert silence.starts_at == paris(12, 0)
        assert silence.ends_at == paris(13, 20)


def test_the_refusal_cites_l49_and_says_when_it_ends():
    message = silence_at(paris(12, 10), "29", [LEGISLATIVES]).message("publier cette fiche")
    assert message.startswith("Impossible de publier cette fiche : le Code électoral (art. L49) interdit")
    assert "à partir de la veille du scrutin à zéro heure" in message
    assert "Législatives 2027, 1er tour, dimanche 13 juin 2027" in message
    assert "le 13 juin 2027 à 20 h 00" in message


@pytest.mark.parametrize(
    ("code", "zone", "polling_day"),
    [
        ("971", "America/Guadeloupe", 12),  # the Americas vote on the Saturday in national elections
        ("972", "America/Martinique", 12),
        ("973", "America/Cayenne", 12),
        ("975", "America/Miquelon", 12),
        ("974", "Indian/Reunion", 13),  # the Indian Ocean votes on the Sunday, in its own time
        ("976", "Indian/Mayotte", 13),
    ],
)
def test_overseas_departements_keep_the_silence_in_their_own_time_and_day(code, zone, polling_day):
    local = ZoneInfo(zone)
    eve = dt.datetime(2027, 6, polling_day - 1, 0, 0, tzinfo=local)
    close = dt.datetime(2027, 6, polling_day, 20, 0, tzinfo=local)
    assert silence_at(eve - dt.timedelta(minutes=1), code, [LEGISLATIVES]) is None
    assert silence_at(eve, code, [LEGISLATIVES]).polling_date == dt.date(2027, 6, polling_day)
    assert silence_at(close - dt.timedelta(minutes=1), code, [LEGISLATIVES]) is not None
    assert silence_at(close, code, [LEGISLATIVES]) is None


def test_a_local_election_votes_on_its_own_date_overseas_too():
    municipales = ElectionDay(slug="m", label="Municipales 2027, 1er tour", kind="municipales", date=SUNDAY)
    guadeloupe = ZoneInfo("America/Guadeloupe")
    assert silence_at(dt.datetime(2027, 6, 11, 12, 0, tzinfo=guadeloupe), "971", [municipales]) is None
    assert silence_at(dt.datetime(2027, 6, 13, 19, 0, tzinfo=guadeloupe), "971", [municipales]) is not None


def test_a_local_election_applies_only_where_it_is_held():
    partial = ElectionDay(
        slug="d", label="Départementales", kind="departementales", date=SUNDAY, departement_codes=frozenset({"75"})
    )
    assert silence_at(paris(12, 10), "75", [partial]) is not None
    assert silence_at(paris(12, 10), "29", [partial]) is None


def test_the_next_polling_date_skips_closed_polls_and_other_territories():
    second_round = ElectionDay(
        slug="t2", label="Législatives 2027, 2d tour", kind="legislatives", date=SUNDAY + dt.timedelta(days=7)
    )
    elections = [second_round, LEGISLATIVES]
    assert next_polling_at(paris(1, 12), "29", elections) == (LEGISLATIVES, SUNDAY)
    assert next_polling_at(paris(13, 19, 59), "29", elections) == (LEGISLATIVES, SUNDAY)
    assert next_polling_at(paris(13, 20), "29", elections) == (second_round, SUNDAY + dt.timedelta(days=7))
    assert next_polling_at(paris(20, 20), "29", elections) is None
    assert next_polling_at(paris(1, 12), "972", elections) == (LEGISLATIVES, dt.date(2027, 6, 12))


def test_french_labels_and_dates():
    assert election_label("legislatives", 2027, 1) == "Législatives 2027, 1er tour"
    assert election_label("presidentielle", 2027, 2) == "Présidentielle 2027, 2d tour"
    assert election_label("europeennes", 2029, 1) == "Européennes 2029"
    assert french_date(dt.date(2027, 6, 13)) == "dimanche 13 juin 2027"
    assert french_date(dt.date(2027, 8, 1), weekday=False) == "1er août 2027"


# --- From the database --------------------------------------------------------------------


@pytest.mark.django_db
def test_elections_are_read_from_the_database_with_their_dates(departements):
    Election.objects.create(slug="legislatives-2027-1", kind="legislatives", year=2027, round=1, date=SUNDAY)
    Election.objects.create(
        slug="legislatives-2027-2", kind="legislatives", year=2027, round=2, date=SUNDAY + dt.timedelta(days=7)
    )
    Election.objects.create(
        slug="europeennes-2024-1", kind="europeennes", year=2024, round=1, date=None
    )  # no date: ignored
    silence = electoral_silence(paris(12, 8), "29")
    assert silence.election.slug == "legislatives-2027-1"
    assert silence.election.label == "Législatives 2027, 1er tour"
    assert electoral_silence(paris(11, 23, 59), "29") is None
    assert electoral_silence(paris(19, 0), "75").election.slug == "legislatives-2027-2"
    election, day = next_polling(paris(13, 21), "29")
    assert (election.slug, day) == ("legislatives-2027-2", dt.date(2027, 6, 20))


@pytest.mark.django_db
def test_a_local_election_with_results_applies_to_their_departements_only(departements):
    from circonscriptions.models import Circonscription, CirconscriptionResult

    municipales = Election.objects.create(
        slug="municipales-2027-1", kind="municipales", year=2027, round=1, date=SUNDAY
    )
    # No result anywhere yet: a general renewal, held everywhere.
    assert electoral_silence(paris(12, 8), "29") is not None
    circo, _ = Circonscription.objects.get_or_create(
        code="7501", defaults={"departement": departements["75"], "number": 1, "name": "Paris 1re"}
    )
    CirconscriptionResult.objects.create(
        election=municipales,
        circonscription=circo,
        registered=10,
        voters=5,
        abstentions=5,
        blank=0,
        null=0,
        expressed=5,
    )
    assert electoral_silence(paris(12, 8), "75") is not None
    assert electoral_silence(paris(12, 8), "29") is None

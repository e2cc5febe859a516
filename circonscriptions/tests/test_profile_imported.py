"""Profiles recomputed on data loaded by the real importers (territory, Brest contours, official results)."""

import pytest
from django.conf import settings

from circonscriptions.importers.results import results_import
from circonscriptions.models import PollingStationProfile, ProfileType
from circonscriptions.profiles.services import profiles_recompute

ELECTIONS = settings.DATA_DIR / "elections"


@pytest.mark.django_db
def test_profiles_of_the_imported_brest_area_files(brest_polling_stations):
    results_import(path=ELECTIONS / "lg2024-t1-bureaux-29-circos-02-03.csv", election_slug="legislatives-2024-1")
    results_import(path=ELECTIONS / "lg2022-t1-bureaux-brest-circo-29-02.csv", election_slug="legislatives-2022-1")

    run = profiles_recompute(by="test")

    assert run.stations == 201 and run.elections == ["legislatives-2022-1", "legislatives-2024-1"]
    profiles = PollingStationProfile.objects.filter(run=run).select_related("polling_station__commune")
    b40 = profiles.get(polling_station__commune__code="29019", polling_station__code="40")
    # 2024 file: 896 registered, 238 abstentions for Brest 40; the 2022 city export adds a second
    # election, whose candidates beyond the two leading ones have no nuance (156 of 485 votes):
    # it is left out of the bureau's leaning, listed with its reason, and kept for its abstention.
    assert b40.abstention_rate_last == pytest.approx(238 / 896)
    assert b40.n_elections == 1 and b40.leaning == "left"
    assert [e["label"] for e in b40.excluded_elections] == ["Législatives 2022 T1"]
    assert b40.abstention_rate_avg > 238 / 896  # 2022's 394 abstentions of 886 count
    assert b40.circonscription.code == "2902"  # from its contour: Brest is split between two circonscriptions
    bohars = profiles.get(polling_station__commune__code="29011", polling_station__code="1")
    # Bohars 1 with the importer's default nuance mapping: UG 223 + EXG 4 + 6; ECO (14) is not
    # the left in 2024 (greens outside the union of the left, see blocs.NUANCES_BY_YEAR).
    assert bohars.share_expr_left == pytest.approx(233 / 776)
    # Ensemble (ENS + DVC, 360 votes) leads: « dominé par Ensemble », not "right".
    assert (bohars.leaning, bohars.opponent, bohars.n_elections) == ("centre", "centre", 1)
    # A bureau the importer could not place (no contour, commune split between circonscriptions)
    # still gets its figures and national rank, but no circonscription rank and no type.
    unplaced = profiles.filter(circonscription__isnull=True)
    assert set(profiles.exclude(pk__in=unplaced).values_list("circonscription__code", flat=True)) == {"2902", "2903"}
    for profile in unplaced:
        assert profile.rank_circonscription is None and profile.profile_type_id is None
        assert profile.rank_nation is not None and profile.rank_departement is not None
    for circo in ("2902", "2903"):
        types = ProfileType.objects.filter(run=run, circonscription__code=circo)
        assert sum(t.count for t in types) == profiles.filter(circonscription__code=circo).count()


@pytest.mark.django_db
def test_commune_indicators_are_carried_to_the_brest_contours_by_areal_weighting(brest_polling_stations, client):
    from django.db.models import Sum

    from circonscriptions.importers.indicators import indicators_import
    from circonscriptions.models import PollingStation, PollingStationIndicator
    from hq.models import User

    indicators_import(path=settings.DATA_DIR / "insee" / "bretagne-communes-niveau-etude-rp2022.csv")
    results_import(path=ELECTIONS / "lg2024-t1-bureaux-29-circos-02-03.csv", election_slug="legislatives-2024-1")
    run = profiles_recompute()

    carried = PollingStationIndicator.objects.filter(run=run, polling_station__commune__code="29019")
    b40 = PollingStation.objects.get(commune__code="29019", code="40")
    # Bureau 40 lies inside Brest: a rate is Brest's own (28.54 % of university graduates).
    rate = carried.get(polling_station=b40, variable__code="taux_diplome_universitaire_total")
    assert rate.value == pytest.approx(28.54) and rate.level == "commune" and rate.coverage > 0.95
    # A count is shared out by area: Brest's bureaux together hold about Brest's 144,870 people
    # (their contours and the commune's outline, from other sources, do not match exactly).
    population = carried.filter(variable__code="population_totale").aggregate(total=Sum("value"))["total"]
    assert population == pytest.approx(144870, rel=0.05)
    # Bohars has no bureau contour: nothing is carried there.
    assert not PollingStationIndicator.objects.filter(run=run, polling_station__commune__code="29011").exists()

    client.force_login(User.objects.create_superuser("analyste@example.org", "pw-test-2026"))
    page = client.get(f"/carte/bureau/{b40.pk}/").content.decode()
    # The curated « Diplômés du supérieur », in percent with one decimal, from the bureau's contour.
    assert 'Diplômés du supérieur</th><td class="n" data-label="Valeur">28,5\u202f%' in page
    assert "areal weighting of" in page or "pondération par la surface" in page  # before or after translation

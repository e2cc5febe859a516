"""Transport to missions: the matching rule, offers and requests, HQ's assignments, the sheet."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse
from django.utils import timezone

from hq.models import Ride, RideKind, Role, Transport
from hq.ride_services import RideData, ride_assign, ride_save, rides_match, stranded
from hq.rides import Driver, Rider, distance_km, match_rides, match_rides_all_pairs
from hq.tests.ride_helpers import brest_commune, confirm, mission, profile

T0 = datetime(2026, 12, 12, 9, 0, tzinfo=UTC)


# --- The pure rule ----------------------------------------------------------------------


def test_distance_between_brest_and_quimper_is_about_fifty_kilometres():
    assert 50 < distance_km(-4.486, 48.390, -4.102, 47.996) < 55


def test_the_nearest_pickup_gets_the_last_seat():
    driver = Driver(1, -4.49, 48.39, T0, seats=1, detour_km=10)
    far = Rider(10, -4.40, 48.39, T0)  # ~6.7 km
    near = Rider(11, -4.48, 48.39, T0)  # ~0.7 km
    assert [(p.rider_id, p.driver_id) for p in match_rides([driver], [far, near])] == [(11, 1)]


def test_a_rider_beyond_the_drivers_detour_is_not_matched():
    driver = Driver(1, -4.49, 48.39, T0, seats=3, detour_km=5)
    assert match_rides([driver], [Rider(10, -4.10, 48.00, T0)]) == []


def test_a_driver_leaving_outside_the_riders_window_is_not_matched():
    driver = Driver(1, -4.49, 48.39, T0 + timedelta(hours=3), seats=3, detour_km=10)
    assert match_rides([driver], [Rider(10, -4.48, 48.39, T0, T0 + timedelta(hours=1))]) == []
    # Without a latest time a rider waits one hour.
    late = Driver(2, -4.49, 48.39, T0 + timedelta(minutes=50), seats=3, detour_km=10)
    assert len(match_rides([late], [Rider(10, -4.48, 48.39, T0)])) == 1


def test_a_driver_never_takes_more_riders_than_seats_and_seats_already_taken_count():
    driver = Driver(1, -4.49, 48.39, T0, seats=2, detour_km=10)
    riders = [Rider(10 + i, -4.49 + i * 0.001, 48.39, T0) for i in range(5)]
    assert len(match_rides([driver], riders)) == 2
    assert len(match_rides([driver], riders, seats_taken={1: 1})) == 1


def test_the_grid_finds_the_same_pickups_as_the_full_distance_matrix():
    rng = random.Random(4)
    drivers = [
        Driver(i, rng.uniform(-4.8, -3.5), rng.uniform(47.7, 48.7), T0, rng.randint(1, 4), rng.choice((5, 10, 20)))
        for i in range(60)
    ]
    riders = [Rider(1000 + i, rng.uniform(-4.8, -3.5), rng.uniform(47.7, 48.7), T0) for i in range(250)]
    grid = match_rides(drivers, riders)
    assert len(grid) > 50
    assert sorted(grid, key=lambda p: p.rider_id) == sorted(
        match_rides_all_pairs(drivers, riders), key=lambda p: p.rider_id
    )


# --- Offers, requests and assignments ------------------------------------------------------


@pytest.fixture
def setting(federations, make_member, departements):
    brest_commune(departements["29"])
    m = mission(federations["29"])
    driver = make_member(Role.ACTIVIST, "29", name="Denise Conductrice")
    rider = make_member(Role.ACTIVIST, "29", name="Rémi Passager")
    confirm(m, driver, rider)
    return {"mission": m, "driver": driver, "rider": rider}


def _offer(s, seats=1) -> Ride:
    return ride_save(
        mission=s["mission"],
        user=s["driver"],
        data=RideData(
            RideKind.OFFER,
            "Gare de Brest",
            Point(-4.479, 48.388, srid=4326),
            s["mission"].starts_at - timedelta(hours=1),
            seats=seats,
        ),
    )


def _typed_hour_before(s) -> str:
    """The mission's start less an hour, as the phone's field sends it (Paris time)."""
    return timezone.localtime(s["mission"].starts_at - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")


def test_a_participant_offers_seats_and_a_rider_is_matched_to_them(setting):
    offer = _offer(setting)
    ride_save(
        mission=setting["mission"],
        user=setting["rider"],
        data=RideData(
            RideKind.REQUEST,
            "Place de la Liberté",
            Point(-4.486, 48.390, srid=4326),
            setting["mission"].starts_at - timedelta(hours=2),
        ),
    )
    assert rides_match(mission=setting["mission"]) == 1
    assert Ride.objects.get(user=setting["rider"]).driver == offer


def test_a_pickup_outside_france_is_refused_and_nothing_is_saved(setting, client):
    client.force_login(setting["rider"])
    response = client.post(
        reverse("hq:ride_edit", kwargs={"pk": setting["mission"].pk}),
        {"kind": "request", "place": "Cork", "point": "51.90, -8.47", "leaves_at": _typed_hour_before(setting)},
    )
    assert response.status_code == 400
    assert "pas en France : vérifiez la latitude" in response.content.decode()
    assert not Ride.objects.exists()


def test_an_offer_without_seats_is_refused_next_to_the_field(setting, client):
    client.force_login(setting["driver"])
    response = client.post(
        reverse("hq:ride_edit", kwargs={"pk": setting["mission"].pk}),
        {
            "kind": "offer",
            "place": "Gare",
            "point": "48.388, -4.479",
            "leaves_at": _typed_hour_before(setting),
            "seats": "0",
        },
    )
    assert response.status_code == 400
    assert 'id="id_seats_error"' in response.content.decode()
    assert not Ride.objects.exists()


@pytest.mark.parametrize("typed", ["0001-01-01T00:30", "2020-01-01T08:00"])
def test_a_departure_days_before_the_mission_is_refused_next_to_the_field_and_the_sheet_still_opens(
    setting, client, typed
):
    # A year typed 0001 was saved as a timestamp before year 1 (UTC), which PostgreSQL cannot
    # read back: the transport sheet failed for everyone on the mission.
    client.force_login(setting["rider"])
    url = reverse("hq:ride_edit", kwargs={"pk": setting["mission"].pk})
    response = client.post(url, {"kind": "request", "place": "Gare", "point": "48.388, -4.479", "leaves_at": typed})
    assert response.status_code == 400
    assert "plus d'un jour avant la mission" in " ".join(response.context["form"].errors["leaves_at"])
    assert 'value="Gare"' in response.content.decode()
    assert not Ride.objects.exists()
    assert client.get(reverse("hq:transport_sheet", kwargs={"pk": setting["mission"].pk})).status_code == 200


def test_an_assignment_sent_twice_keeps_the_rider_in_the_car_without_an_error(setting, make_member, client):
    offer = _offer(setting, seats=1)
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    url = reverse("hq:ride_assign", kwargs={"pk": setting["mission"].pk})
    for _ in range(2):
        response = client.post(url, {"rider": setting["rider"].pk, "driver": offer.pk})
        assert response.status_code == 302
    assert list(offer.passengers.values_list("user", flat=True)) == [setting["rider"].pk]


def test_hq_assigning_more_riders_than_seats_is_refused_in_french(setting, make_member, client):
    offer = _offer(setting, seats=1)
    third = make_member(Role.ACTIVIST, "29", name="Tiers Passager")
    confirm(setting["mission"], third)
    hq = make_member(Role.FEDERAL_HQ, "29")
    ride_assign(mission=setting["mission"], rider=setting["rider"], driver=offer, by=hq)
    client.force_login(hq)
    response = client.post(
        reverse("hq:ride_assign", kwargs={"pk": setting["mission"].pk}), {"rider": third.pk, "driver": offer.pk}
    )
    assert response.status_code == 400
    assert "Plus de passagers que de places" in response.content.decode()
    assert not Ride.objects.filter(user=third).exists()
    assert offer.passengers.count() == 1


def test_a_driver_cannot_cut_seats_below_the_riders_already_assigned(setting, make_member):
    offer = _offer(setting, seats=2)
    ride_assign(mission=setting["mission"], rider=setting["rider"], driver=offer, by=make_member(Role.FEDERAL_HQ, "29"))
    with pytest.raises(Exception, match="pas moins de 1 places"):
        ride_save(
            mission=setting["mission"],
            user=setting["driver"],
            data=RideData(RideKind.OFFER, "Gare", Point(-4.479, 48.388, srid=4326), offer.leaves_at, seats=0),
        )
    assert Ride.objects.get(pk=offer.pk).seats == 2


def test_hq_sees_who_has_no_way_to_get_there_and_assigns_them(setting, make_member, client):
    far = make_member(Role.ACTIVIST, "29", name="Loïc Loin")
    near = make_member(Role.ACTIVIST, "29", name="Nadia Proche")
    car = make_member(Role.ACTIVIST, "29", name="Camille Voiture")
    confirm(setting["mission"], far, near, car)
    profile(far, lon=-4.10, lat=48.00, transport=Transport.BIKE, max_km=10)
    profile(near, lon=-4.488, lat=48.391, max_km=5)
    profile(car, lon=-4.10, lat=48.00, transport=Transport.CAR)
    offer = _offer(setting, seats=3)
    names = [s["user"].full_name for s in stranded(setting["mission"])]
    assert "Loïc Loin" in names and "Nadia Proche" not in names and "Camille Voiture" not in names
    hq = make_member(Role.FEDERAL_HQ, "29")
    client.force_login(hq)
    page = client.get(reverse("hq:transport_sheet", kwargs={"pk": setting["mission"].pk})).content.decode()
    assert "Loïc Loin" in page and "sans voiture" in page
    response = client.post(
        reverse("hq:ride_assign", kwargs={"pk": setting["mission"].pk}), {"rider": far.pk, "driver": offer.pk}
    )
    assert response.status_code == 302
    assert Ride.objects.get(user=far).driver == offer
    assert "Loïc Loin" not in [s["user"].full_name for s in stranded(setting["mission"])]


def test_the_transport_sheet_is_hidden_from_other_federations_and_non_participants(setting, make_member, client):
    for outsider in (make_member(Role.FEDERAL_HQ, "75"), make_member(Role.ACTIVIST, "29")):
        client.force_login(outsider)
        assert client.get(reverse("hq:transport_sheet", kwargs={"pk": setting["mission"].pk})).status_code == 404


def test_an_activist_cannot_run_the_matching(setting, client):
    client.force_login(setting["rider"])
    assert client.post(reverse("hq:ride_match", kwargs={"pk": setting["mission"].pk})).status_code == 403


def test_the_transport_sheet_lists_who_picks_up_whom_with_a_print_stylesheet(setting, make_member, client):
    offer = _offer(setting, seats=2)
    ride_assign(mission=setting["mission"], rider=setting["rider"], driver=offer, by=make_member(Role.FEDERAL_HQ, "29"))
    client.force_login(setting["rider"])
    page = client.get(reverse("hq:transport_sheet", kwargs={"pk": setting["mission"].pk})).content.decode()
    assert "Denise Conductrice — Gare de Brest" in page
    assert "Rémi Passager" in page
    assert "hq/transport.css" in page and "style=" not in page


@pytest.mark.django_db(transaction=True)
def test_two_assignments_at_once_to_the_last_seat_leave_one_rider_in_the_car(federations, make_member, departements):
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connection

    brest_commune(departements["29"])
    m = mission(federations["29"])
    driver, a, b = (make_member(Role.ACTIVIST, "29") for _ in range(3))
    confirm(m, driver, a, b)
    offer = ride_save(
        mission=m,
        user=driver,
        data=RideData(
            RideKind.OFFER, "Gare", Point(-4.479, 48.388, srid=4326), m.starts_at - timedelta(hours=1), seats=1
        ),
    )
    hq = make_member(Role.FEDERAL_HQ, "29")
    barrier = threading.Barrier(2)
    refused = []

    def assign(rider):
        barrier.wait()
        try:
            ride_assign(mission=m, rider=rider, driver=offer, by=hq)
        except ValidationError as error:
            refused.append(error.message_dict["driver"][0])
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(r,)) for r in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert offer.passengers.count() == 1
    assert len(refused) == 1 and refused[0].startswith("Plus de passagers que de places")


def test_the_demo_rides_offer_cars_and_ask_seats_from_home_then_match_them(federations, make_member, departements):
    from hq.ride_demo import demo_rides_load

    brest_commune(departements["29"])
    m = mission(federations["29"])
    driver, rider = make_member(Role.ACTIVIST, "29"), make_member(Role.ACTIVIST, "29")
    confirm(m, driver, rider)
    profile(driver, lon=-4.48, lat=48.39, transport=Transport.CAR)
    profile(rider, lon=-4.47, lat=48.40)
    assert demo_rides_load() == ["trajets de démo : 2 créés, 1 passager(s) placé(s)."]
    assert Ride.objects.get(user=rider).driver == Ride.objects.get(user=driver, kind=RideKind.OFFER)
    assert demo_rides_load() == []  # idempotent

"""« Utiliser ma position » on the transport sheet, when the phone gives no position (refused, or
no fix): the sheet says so in French next to the button and puts the cursor in the position
field, rather than leaving the button doing nothing."""

import pytest
from django.conf import settings
from django.test import Client

from hq.models import Role
from hq.tests.ride_helpers import confirm, mission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = (390, 844)


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_a_position_the_phone_refuses_is_said_next_to_the_button(page, live_server, federations, make_member):
    m = mission(federations["29"], title="Porte-à-porte à Bellevue", hours=30)
    rider = make_member(Role.ACTIVIST, "29", name="Rémi Passager")
    confirm(m, rider)
    client = Client()
    client.force_login(rider)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page.context.clear_permissions()  # the geolocation prompt is refused

    page.goto(f"/missions/{m.pk}/transport/")
    status = page.locator("#ride-locate-status")
    assert status.is_hidden()
    page.get_by_role("button", name="Utiliser ma position").click()
    status.wait_for(state="visible")
    assert status.inner_text() == (
        "Votre position n'est pas disponible : tapez la latitude et la longitude de votre lieu de départ."
    )
    assert page.evaluate("document.activeElement.name") == "point"
    assert page.input_value("input[name=point]") == ""

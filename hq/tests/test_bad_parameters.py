"""Parameters an attacker or a mistyped link sends: 400 or 404, never a 500."""

import pytest

from hq.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/carte/circonscription/75%0001/",
        "/carte/?departement=%00",
        "/territoire/resultats/?departement=29%00",
        "/observations/?commune=%00",
    ],
)
def test_a_nul_character_in_the_address_is_a_400(client, make_member, url):
    client.force_login(make_member(Role.NATIONAL_HQ))
    response = client.get(url)
    assert response.status_code == 400
    assert "Caractère nul" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/carte/bureau/99999999999999999999999999/",
        "/carte/bureau/9223372036854775808/",
        "/fiches/123456789012345678901234567890/",
        "/observations/bureaux/?commune=abc",
        "/observations/bureaux/?commune=99999999999999999999999",
    ],
)
def test_an_id_that_cannot_exist_is_a_404(client, make_member, url):
    client.force_login(make_member(Role.NATIONAL_HQ))
    assert client.get(url).status_code == 404


def test_stored_files_are_not_served_by_address_and_images_only_to_members(client, make_member, settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = tmp_path
    pdf = default_storage.save("fiches/versions/2026/11/fiche-2902-v1.pdf", ContentFile(b"%PDF-1.7"))
    image = default_storage.save("images/plan.svg", ContentFile(b"<svg xmlns='http://www.w3.org/2000/svg'/>"))
    assert client.get(f"/media/{pdf}").status_code == 404
    assert client.get(f"/media/{image}").status_code == 302  # to the log-in page
    client.force_login(make_member(Role.ACTIVIST, "29"))
    assert client.get(f"/media/{pdf}").status_code == 404
    assert b"".join(client.get(f"/media/{image}").streaming_content).startswith(b"<svg")
    assert client.get("/media/images/../fiches/versions/2026/11/fiche-2902-v1.pdf").status_code == 404

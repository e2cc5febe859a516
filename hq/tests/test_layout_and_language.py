import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from hq.models import Role

pytestmark = pytest.mark.django_db

PO_FILE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_the_login_page_is_in_french_by_default(client):
    page = client.get(reverse("account_login")).content.decode()
    assert '<html lang="fr">' in page
    assert "Se connecter" in page
    assert "Mot de passe oublié ?" in page
    assert "Log in" not in page


def test_the_login_page_is_in_french_for_a_french_browser(client):
    page = client.get(reverse("account_login"), headers={"accept-language": "fr-FR,fr;q=0.9"}).content.decode()
    assert '<html lang="fr">' in page
    assert "Se connecter" in page
    assert "Adresse e-mail" in page  # allauth's own field label, translated too


def test_the_language_switcher_turns_the_interface_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("account_login")}, follow=True)
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Forgot your password?" in page


def test_the_login_page_does_not_offer_public_sign_up(client):
    page = client.get(reverse("account_login")).content.decode()
    assert "/comptes/signup/" not in page
    closed = client.get("/comptes/signup/")  # allauth's "sign-up closed" page, in our layout
    assert "Inscriptions fermées" in closed.content.decode()
    assert '<main id="contenu"' in closed.content.decode()


def test_pages_have_a_skip_link_landmarks_and_only_local_assets(client, make_member):
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    page = client.get("/federation/29/").content.decode()
    assert re.search(r'<a class="skip-link" href="#contenu">', page)
    for landmark in ("<header", "<nav", '<main id="contenu"', "<footer"):
        assert landmark in page
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:css|js))"', page)
    # The stylesheet, the script that empties the phone's outbox at logout (static/js/logout.js)
    # and the one that registers the service worker (static/js/offline_pages.js).
    assert assets == ["/static/css/qg.css", "/static/js/logout.js", "/static/js/offline_pages.js"]
    assert "http://" not in page and "https://" not in page


def test_the_stylesheet_is_served_from_the_project_static_files(client):
    response = client.get("/static/css/qg.css")
    assert response.status_code == 200
    assert b":focus-visible" in b"".join(response.streaming_content)


def test_the_navigation_follows_the_role(client, make_member):
    client.force_login(make_member(Role.ACTIVIST, "29"))
    activist_nav = client.get("/militant/").content.decode().split("<nav")[1].split("</nav>")[0]
    assert "Mon espace" in activist_nav
    assert "Inviter" not in activist_nav and "Administration" not in activist_nav
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    federal_nav = client.get("/federation/29/").content.decode().split("<nav")[1].split("</nav>")[0]
    assert 'href="/federation/29/inviter/"' in federal_nav
    assert "Administration" in federal_nav


def _po_entries(text: str) -> list[tuple[list[str], str, list[str]]]:
    """(flags, msgid, msgstrs) for every entry but the header."""
    entries = []
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        flags = [line for line in lines if line.startswith("#,")]
        body = "\n".join(line for line in lines if not line.startswith("#"))
        msgid = "".join(re.findall(r'"(.*)"', (re.search(r'^msgid ((?:".*"\n?)+)', body, re.M) or [""])[0] or ""))
        if not msgid:
            continue
        strs = ["".join(re.findall(r'"(.*)"', m)) for m in re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', body, re.M)]
        entries.append((flags, msgid, strs))
    return entries


def test_every_french_translation_is_filled_and_none_is_fuzzy():
    entries = _po_entries(PO_FILE.read_text(encoding="utf-8"))
    assert len(entries) > 100
    fuzzy = [msgid for flags, msgid, _strs in entries if any("fuzzy" in flag for flag in flags)]
    empty = [msgid for _flags, msgid, strs in entries if not strs or any(not s for s in strs)]
    assert fuzzy == []
    assert empty == []


def test_password_reset_mails_a_french_link_that_sets_a_new_password(client, make_member):
    from django.core import mail

    member = make_member(Role.ACTIVIST, "29")
    page = client.get(reverse("account_reset_password")).content.decode()
    assert '<main id="contenu"' in page and "Réinitialisation du mot de passe" in page
    client.post(reverse("account_reset_password"), {"email": member.email})
    assert len(mail.outbox) == 1
    assert "réinitialisation" in mail.outbox[0].subject.lower()
    link = re.search(r"http://testserver(/comptes/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"password1": "Nouveau-Mot-2026", "password2": "Nouveau-Mot-2026"},
        follow=True,
    )
    member.refresh_from_db()
    assert member.check_password("Nouveau-Mot-2026")
    assert response.redirect_chain[-1][0] == "/militant/"  # logged in on reset, then home


def test_whitenoise_starts_without_warning_when_static_files_are_not_collected(settings, tmp_path):
    import warnings

    from whitenoise.middleware import WhiteNoiseMiddleware

    settings.STATIC_ROOT = tmp_path / "never-collected"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        WhiteNoiseMiddleware(lambda request: None)


def test_refusals_are_explained_in_french_inside_the_layout(client, make_member):
    client.force_login(make_member(Role.SECRETARY, "29"))
    refused = client.get("/federation/29/inviter/")
    assert refused.status_code == 403
    assert "Accès refusé" in refused.content.decode() and '<main id="contenu"' in refused.content.decode()
    missing = client.get("/federation/75/")
    assert missing.status_code == 404
    assert "Page introuvable" in missing.content.decode()


def test_an_english_browser_still_gets_french_until_the_person_chooses_english(client):
    page = client.get(reverse("account_login"), headers={"accept-language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="fr">' in page and "Se connecter" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("account_login"), headers={"accept-language": "fr-FR"}).content.decode()
    assert '<html lang="en">' in page

"""The PDF's URL fetcher: the project's static and media files only; anything else refused unopened."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from fiches.pdf import BASE_URL, ProjectOnlyFetcher


def test_it_serves_the_projects_static_files():
    response = ProjectOnlyFetcher().fetch(BASE_URL + "static/fiches/fiche_pdf.css")
    assert b"@page" in response.read() and response.content_type == "text/css"


@pytest.mark.django_db
def test_it_serves_media_files_through_the_storage_api(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("images/plan.svg", ContentFile(b"<svg xmlns='http://www.w3.org/2000/svg'/>"))
    response = ProjectOnlyFetcher().fetch(BASE_URL + "media/" + name)
    assert response.read().startswith(b"<svg")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["fiches/versions/2026/11/fiche-2902-v1.pdf", "imports/2026/11/resultats.csv"])
def test_it_refuses_media_files_other_than_the_sites_images(settings, tmp_path, name):
    settings.MEDIA_ROOT = tmp_path
    stored = default_storage.save(name, ContentFile(b"%PDF-1.7 another federation's fiche"))
    with pytest.raises(ValueError, match="Adresse refusée"):
        ProjectOnlyFetcher().fetch(BASE_URL + "media/" + stored)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/pixel.png",
        "https://example.org/static/fiches/fiche_pdf.css",  # the right path on another host
        BASE_URL + "static/../config/settings.py",
        BASE_URL + "admin/",
        "ftp://example.org/x.png",
    ],
)
def test_it_refuses_everything_else(url):
    fetcher = ProjectOnlyFetcher()
    with pytest.raises(ValueError, match="Adresse refusée"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]

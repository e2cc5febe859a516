"""PDF printing with WeasyPrint, which may read only the project's own static and media files.

Fiche content is typed by analysts: an image link in it must never make the server
fetch an outside address (a tracker, an internal service). `ProjectOnlyFetcher` serves
`/static/…` from the static files finders and `/media/…` from the default storage,
accepts `data:` URLs (inline, no network), and refuses everything else without
opening it; WeasyPrint then leaves the image out and goes on.
"""

from __future__ import annotations

import logging
import mimetypes
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)
# WeasyPrint reports each rendering step at INFO: noise in the logs of every print.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# The document's base URL: a reserved name (RFC 2606) that never resolves, so a relative
# link in a fiche can only mean the project's own files.
BASE_URL = "https://qg.invalid/"


def _prefix(setting: str) -> str:
    return "/" + setting.strip("/") + "/"


class ProjectOnlyFetcher(URLFetcher):
    def __init__(self) -> None:
        super().__init__(allowed_protocols={"https", "data"})
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)  # decoded in memory by urllib's DataHandler
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}/" == BASE_URL:
            path = unquote(parts.path)
            static, media = _prefix(settings.STATIC_URL), _prefix(settings.MEDIA_URL)
            if path.startswith(static) and ".." not in path:
                found = finders.find(path.removeprefix(static))
                if found:
                    with open(found, "rb") as handle:  # noqa: PTH123
                        return self._response(url, handle.read())
            elif path.startswith(media + settings.MEDIA_IMAGES_DIR) and ".." not in path:
                # Only the site's images: a fiche's text must not pull in another federation's
                # PDF or an uploaded results file through a /media/ address.
                name = path.removeprefix(media)
                if default_storage.exists(name):
                    with default_storage.open(name, "rb") as handle:
                        return self._response(url, handle.read())
        self.refused.append(url)
        log.warning("PDF: adresse refusée sans la lire : %s", url)
        raise ValueError(f"Adresse refusée (ni fichier statique ni média du projet) : {url}")

    @staticmethod
    def _response(url: str, body: bytes) -> URLFetcherResponse:
        mime = mimetypes.guess_type(urlsplit(url).path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": mime})


def pdf_document(html: str, fetcher: ProjectOnlyFetcher | None = None):
    """The laid-out WeasyPrint document (pages can be merged with other documents')."""
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher or ProjectOnlyFetcher()).render()


def pdf_bytes(html: str, fetcher: ProjectOnlyFetcher | None = None) -> bytes:
    return pdf_document(html, fetcher).write_pdf()


def pdf_merge(documents: list) -> bytes:
    """One PDF of every page of the given documents, in order."""
    if not documents:
        return b""
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()

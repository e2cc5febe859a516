from urllib.parse import unquote

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class FrenchFirstLocaleMiddleware(LocaleMiddleware):
    """French unless the person chose another language with the switcher (its cookie).

    QG is the tool of a French party: an activist whose phone or browser is set to
    English still gets the French interface; English is there for those who ask.
    Django's own middleware would follow the browser's Accept-Language instead.
    """

    def process_request(self, request) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RefuseNulMiddleware:
    """400 for a request whose path or query string holds a NUL character.

    PostgreSQL refuses NUL in any text, so such a value reached a query and ended in a
    500 (`/carte/circonscription/75%0001/`, `?departement=%00`). No address or parameter
    of QG can contain one: refuse it before any view runs. Form fields are covered by
    Django's own NUL validator on every CharField.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "\x00" in unquote(request.META.get("QUERY_STRING", "")):
            return HttpResponseBadRequest(
                "Caractère nul refusé dans l'adresse.", content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, register_converter

from config.converters import IdConverter
from hq import views as hq_views
from observations import method_views
from observations import views as observations_views

# Before the includes below: app URL modules use <id:…>.
register_converter(IdConverter, "id")

admin.site.site_header = "QG"
admin.site.site_title = "QG"
# One log-in page for everything: the admin's own would skip the second factor. This is
# allauth's documented way; mypy forbids assigning to a method, which is the point here.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("healthz", hq_views.healthz, name="healthz"),
    # At the root: a service worker controls only the pages below its own address.
    path("sw.js", observations_views.service_worker, name="service_worker"),
    # No other /media/ address: fiche PDFs, batches and uploaded files go through scoped views.
    path("media/images/<path:name>", hq_views.media_image, name="media_image"),
    path("admin/", admin.site.urls),
    path("comptes/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("territoire/", include("circonscriptions.urls")),
    path("carte/", include("circonscriptions.profiles.urls")),
    path("fiches/", include("fiches.urls")),
    path("observations/", include("observations.urls")),
    path("methodes/", method_views.method_catalogue, name="methods"),
    # Estimates of campaign experiments (fiches: they use the PDF machinery); the other
    # /experiences/ pages are hq's, below.
    path("experiences/", include("fiches.evaluation_urls")),
    # `home` sends everyone to the home page of their role (hq.views.home).
    path("", hq_views.home, name="home"),
    path("", include("hq.urls")),
]

from django.urls import path

from hq import privacy_views, ride_views, views

app_name = "hq"

urlpatterns = [
    path("sans-role/", views.no_role, name="no_role"),
    path("qg/", views.national_home, name="national_home"),
    path("qg/inviter/", views.national_invite, name="national_invite"),
    path("federation/<str:code>/", views.federation_detail, name="federation_detail"),
    path("federation/<str:code>/inviter/", views.invitation_create, name="invitation_create"),
    path("federation/<str:code>/sections/<id:pk>/modifier/", views.section_edit, name="section_edit"),
    path("secretariat/", views.secretary_home, name="secretary_home"),
    path("militant/", views.activist_home, name="activist_home"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("mes-donnees/", privacy_views.my_data, name="my_data"),
    path("mes-donnees/export/", privacy_views.my_data_export, name="my_data_export"),
    path("mes-donnees/effacement/", privacy_views.my_data_erasure_request, name="my_data_erasure_request"),
    path("personnes/demandes-effacement/", privacy_views.erasure_requests, name="erasure_requests"),
    path("personnes/<str:kind>/<id:pk>/", privacy_views.person_page, name="person"),
]

# Transport to missions (issue 11, item 5): hq/ride_views.py.
urlpatterns += [
    path("missions/<id:pk>/transport/", ride_views.transport_sheet_page, name="transport_sheet"),
    path("missions/<id:pk>/transport/trajet/", ride_views.ride_edit, name="ride_edit"),
    path("missions/<id:pk>/transport/apparier/", ride_views.ride_match_run, name="ride_match"),
    path("missions/<id:pk>/transport/attribuer/", ride_views.ride_assign_view, name="ride_assign"),
]

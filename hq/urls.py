from django.urls import path

from hq import experiment_views, mission_views, privacy_views, ride_views, views

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
    path("militant/profil/", mission_views.profile_mine, name="profile_mine"),
    path("personnes/militant/<id:pk>/profil/", mission_views.profile_of, name="profile_of"),
    path("missions/pour-moi/", mission_views.missions_for_me, name="missions_for_me"),
    path("missions/<id:pk>/", mission_views.mission_detail, name="mission_detail"),
    path("missions/<id:pk>/inscription/", mission_views.mission_signup, name="mission_signup"),
    path("missions/<id:pk>/desinscription/", mission_views.mission_signup_cancel, name="mission_signup_cancel"),
    path("missions/<id:pk>/mission.ics", mission_views.mission_ics, name="mission_ics"),
    path("missions/<id:pk>/approuver/", mission_views.mission_approve, name="mission_approve"),
    path("missions/<id:pk>/annuler/", mission_views.mission_cancel, name="mission_cancel"),
    path("federation/<str:code>/missions/", mission_views.missions_federation, name="missions_federation"),
    path("federation/<str:code>/missions/nouvelle/", mission_views.mission_new, name="mission_new"),
    path("federation/<str:code>/missions/en-serie/", mission_views.missions_bulk, name="missions_bulk"),
    path("federation/<str:code>/recrutement/", mission_views.recruitment, name="recruitment"),
    path("federation/<str:code>/recrutement/competences/", mission_views.skill_merge, name="skill_merge"),
    path("sympathisants/<id:pk>/suivi/", mission_views.supporter_followup, name="supporter_followup"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("mes-donnees/", privacy_views.my_data, name="my_data"),
    path("mes-donnees/export/", privacy_views.my_data_export, name="my_data_export"),
    path("mes-donnees/effacement/", privacy_views.my_data_erasure_request, name="my_data_erasure_request"),
    path("personnes/demandes-effacement/", privacy_views.erasure_requests, name="erasure_requests"),
    path("personnes/<str:kind>/<id:pk>/", privacy_views.person_page, name="person"),
]

# Transport to missions (issue 11, item 5): hq/ride_views.py.
urlpatterns += [
    path("missions/transport/", ride_views.transport_index, name="transport_index"),
    path("missions/<id:pk>/transport/", ride_views.transport_sheet_page, name="transport_sheet"),
    path("missions/<id:pk>/transport/trajet/", ride_views.ride_edit, name="ride_edit"),
    path("missions/<id:pk>/transport/apparier/", ride_views.ride_match_run, name="ride_match"),
    path("missions/<id:pk>/transport/attribuer/", ride_views.ride_assign_view, name="ride_assign"),
]

# Campaigns run as experiments (issue 13): hq/experiment_views.py (results pages: fiches).
urlpatterns += [
    path("experiences/", experiment_views.experiment_list, name="experiment_list"),
    path("experiences/nouvelle/", experiment_views.experiment_new, name="experiment_new"),
    path("experiences/<id:pk>/", experiment_views.experiment_detail, name="experiment_detail"),
    path("experiences/<id:pk>/tirage/", experiment_views.experiment_draw, name="experiment_draw"),
    path("experiences/<id:pk>/lancer/", experiment_views.experiment_start, name="experiment_start"),
]

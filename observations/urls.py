from django.urls import path

from observations import views

app_name = "observations"

urlpatterns = [
    path("", views.observation_list, name="list"),
    path("nouvelle/", views.observation_new, name="new"),
    path("mes-observations/", views.my_observations, name="mine"),
    path("localiser/", views.locate, name="locate"),
    path("bureaux/", views.commune_stations, name="commune_stations"),
    path("synthese/", views.observation_aggregates, name="aggregates"),
    path("participants/", views.participants, name="participants"),
    path("citations/", views.quotes_review, name="quotes"),
    path("citations/<id:pk>/<str:field>/", views.quote_decide, name="quote_decide"),
    path("<id:pk>/", views.observation_detail, name="detail"),
]

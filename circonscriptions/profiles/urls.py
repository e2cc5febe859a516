from django.urls import path

from circonscriptions.profiles import backtest_views
from circonscriptions.profiles import views as profile_views

app_name = "profiles"

urlpatterns = [
    path("", profile_views.profile_overview, name="overview"),
    path("circonscription/<str:code>/", profile_views.circonscription_profiles, name="circonscription"),
    path(
        "circonscription/<str:code>/profils.csv", profile_views.circonscription_profiles_csv, name="circonscription_csv"
    ),
    path("bureau/<id:pk>/", profile_views.polling_station_profile, name="polling_station"),
    path("verification/", backtest_views.profile_backtest, name="backtest"),
]

from django.urls import path

from circonscriptions import views

app_name = "circonscriptions"

urlpatterns = [
    path("resultats/", views.results_list, name="results_list"),
    path("resultats/<slug:slug>.csv", views.results_export, name="results_export"),
]

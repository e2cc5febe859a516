from django.urls import path

from hq import views

urlpatterns = [
    path("", views.home, name="home"),
]

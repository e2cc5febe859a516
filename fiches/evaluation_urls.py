"""The estimate pages of campaign experiments, under /experiences/<id>/resultats… (issue 13).

Mounted at /experiences/ before hq's URLs, which hold the other /experiences/ pages
(list, declaration, design): an address not listed here falls through to them.
"""

from django.urls import path

from fiches import evaluation_views

app_name = "evaluation"

urlpatterns = [
    path("<id:pk>/resultats/", evaluation_views.experiment_results, name="results"),
    path("<id:pk>/resultats.pdf", evaluation_views.experiment_results_pdf, name="results_pdf"),
    path("<id:pk>/resultats/priorites/", evaluation_views.experiment_use_effect, name="use_effect"),
]

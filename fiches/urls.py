from django.urls import path

from fiches import campaign_views, views

app_name = "fiches"

urlpatterns = [
    path("", views.fiche_list, name="list"),
    path("nouvelle/", views.fiche_new, name="new"),
    path("<id:pk>/", views.fiche_detail, name="detail"),
    path("<id:pk>/modifier/", views.fiche_edit, name="edit"),
    path("<id:pk>/enjeux/", views.local_issue_new, name="local_issue_new"),
    path("<id:pk>/apercu/", views.fiche_preview_page, name="preview"),
    path("<id:pk>/publier/", views.fiche_publish_view, name="publish"),
    path("<id:pk>/pdf/", views.fiche_pdf, name="pdf"),
    path("<id:pk>/versions/", views.fiche_versions, name="versions"),
    path("<id:pk>/versions/<id:number>/", views.fiche_version_detail, name="version"),
    path("<id:pk>/versions/<id:number>/pdf/", views.fiche_version_pdf, name="version_pdf"),
    path("impression/", views.batch_start, name="batch_start"),
    path("impression/<id:pk>/", views.batch_detail, name="batch_detail"),
    path("impression/<id:pk>/etat/", views.batch_status, name="batch_status"),
    path("impression/<id:pk>/<str:kind>/", views.batch_download, name="batch_download"),
]

# The campaign team's briefing (issue 11, item 7): fiches/campaign_views.py.
urlpatterns += [
    path("campagne/", campaign_views.campaign_index, name="campaign_index"),
    path("campagne/<str:code>/", campaign_views.campaign_page, name="campaign"),
    path("campagne/<str:code>/pdf/", campaign_views.campaign_pdf, name="campaign_pdf"),
]

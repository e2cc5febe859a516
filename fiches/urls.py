from django.urls import path

from fiches import views

app_name = "fiches"

urlpatterns = [
    path("", views.fiche_list, name="list"),
    path("nouvelle/", views.fiche_new, name="new"),
    path("<int:pk>/", views.fiche_detail, name="detail"),
    path("<int:pk>/modifier/", views.fiche_edit, name="edit"),
    path("<int:pk>/enjeux/", views.local_issue_new, name="local_issue_new"),
    path("<int:pk>/apercu/", views.fiche_preview_page, name="preview"),
    path("<int:pk>/publier/", views.fiche_publish_view, name="publish"),
    path("<int:pk>/pdf/", views.fiche_pdf, name="pdf"),
    path("<int:pk>/versions/", views.fiche_versions, name="versions"),
    path("<int:pk>/versions/<int:number>/", views.fiche_version_detail, name="version"),
    path("<int:pk>/versions/<int:number>/pdf/", views.fiche_version_pdf, name="version_pdf"),
    path("impression/", views.batch_start, name="batch_start"),
    path("impression/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("impression/<int:pk>/etat/", views.batch_status, name="batch_status"),
    path("impression/<int:pk>/<str:kind>/", views.batch_download, name="batch_download"),
]

"""Certificate URLs, included at the site root: the registrar's screens under certificates/, and the public
verification page at verify/<token>/."""

from django.urls import path

from certificates import views

app_name = "certificates"

urlpatterns = [
    path("certificates/", views.cohort_list, name="cohort_list"),
    path("certificates/cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("certificates/cohorts/<int:pk>/issue/", views.cohort_issue, name="cohort_issue"),
    path("certificates/cohorts/<int:pk>/print-pack/", views.print_pack_create, name="print_pack_create"),
    path("certificates/enrolments/<int:pk>/override/", views.enrolment_override, name="enrolment_override"),
    path("certificates/batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("certificates/batches/<int:pk>/progress/", views.batch_progress_fragment, name="batch_progress"),
    path("certificates/batches/<int:pk>/retry/", views.batch_retry_view, name="batch_retry"),
    path("certificates/<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path("certificates/<int:pk>/pdf/", views.certificate_download, name="certificate_download"),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke_view, name="certificate_revoke"),
    path("certificates/<int:pk>/reissue/", views.certificate_reissue_view, name="certificate_reissue"),
    path("certificates/print-packs/<int:pk>/", views.print_pack_detail, name="print_pack_detail"),
    path("certificates/print-packs/<int:pk>/download/", views.print_pack_download, name="print_pack_download"),
    path("certificates/centres/<int:pk>/", views.issuer_detail, name="issuer_detail"),
    path("certificates/centres/<int:pk>/template/", views.template_edit, name="template_edit"),
    path("certificates/centres/<int:pk>/template/preview/", views.template_preview, name="template_preview"),
    path("verify/<str:token>/", views.verify, name="verify"),
]

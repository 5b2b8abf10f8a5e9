from django.urls import path

from inmates import views

app_name = "inmates"

urlpatterns = [
    path("", views.inmate_list, name="list"),
    path("import/", views.inmate_import, name="import"),
    path("<int:pk>/", views.inmate_detail, name="detail"),
    path("<int:pk>/assessments/new/<slug:instrument>/", views.assessment_create_view, name="assessment_create"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/due/", views.assessments_due_list, name="assessments_due"),
]

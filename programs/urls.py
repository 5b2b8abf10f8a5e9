"""Programme screens. Each views module owns its own `urlpatterns`; they are joined here."""

from programs.views import home

app_name = "programs"

urlpatterns = [
    *home.urlpatterns,
]

app_name = "inmates"

urlpatterns: list = []

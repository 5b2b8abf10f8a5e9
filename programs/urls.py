"""Programme screens. Each module in programs/views/ owns its `urlpatterns`; they are joined here."""

import importlib
import pkgutil

from programs import views

app_name = "programs"

urlpatterns: list = []
for _module in sorted(pkgutil.iter_modules(views.__path__), key=lambda m: m.name):
    urlpatterns += getattr(importlib.import_module(f"programs.views.{_module.name}"), "urlpatterns", [])

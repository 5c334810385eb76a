from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("考核与调整")

    def ready(self):
        from . import selectors  # noqa: F401  (declares the scope of this app's models)

        # Each part connects its registrations (panels and history of a reserve's page, workflow effects).
        for part in ("rounds", "adjustments", "priority"):
            module = import_module(f"{self.name}.hooks_{part}")
            module.connect()

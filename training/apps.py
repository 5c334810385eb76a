from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("后备干部库")

    def ready(self):
        from candidates.workflow import NOMINATION_WORKFLOW

        from . import selectors  # noqa: F401  (declares the scope of this app's models)
        from .services import create_reserve

        # A confirmed nomination enters the pool.
        NOMINATION_WORKFLOW.add_effect("confirm_reserve", create_reserve)
        # Each part of the pool connects its registrations (start pages, panels, effects).
        for part in ("pool", "entry", "mentors"):
            import_module(f"{self.name}.hooks_{part}").connect()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionConfig(AppConfig):
    name = "inspection"
    verbose_name = _("组织考察与党委研究")

    def ready(self):
        from candidates.panels import register_nomination_panel

        from .selectors import nomination_panel

        register_nomination_panel("inspection/_nomination_panel.html", nomination_panel)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionConfig(AppConfig):
    name = "inspection"
    verbose_name = _("组织考察与党委研究")

    def ready(self):
        from candidates.panels import register_nomination_panel
        from candidates.workflow import NOMINATION_WORKFLOW

        from .selectors import nomination_panel
        from .services import guard_propose

        register_nomination_panel("inspection/_nomination_panel.html", nomination_panel)
        # A nomination is proposed to the committee only after its talks and a passing appraisal.
        NOMINATION_WORKFLOW.add_guard("propose", guard_propose)

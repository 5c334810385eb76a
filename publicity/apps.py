from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicityConfig(AppConfig):
    name = "publicity"
    verbose_name = _("公示")

    def ready(self):
        from candidates.workflow import NOMINATION_WORKFLOW

        from . import selectors  # noqa: F401  (declares the scope of this app's models)
        from .services import guard_confirm, mark_no_longer_proposed

        # Confirmation into the pool waits for the end of the notice and of its objections.
        NOMINATION_WORKFLOW.add_guard("confirm_reserve", guard_confirm)
        # A person leaving 公示中 other than into the pool (the committee's cancellation on an objection, the
        # office's revocation) is marked on the notice as no longer proposed.
        for action in ("uphold_objection", "revoke", "withdraw"):
            if action in NOMINATION_WORKFLOW:
                NOMINATION_WORKFLOW.add_effect(action, mark_no_longer_proposed)

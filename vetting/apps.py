from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VettingConfig(AppConfig):
    name = "vetting"
    verbose_name = _("资格联审")

    def ready(self):
        from candidates.panels import register_nomination_panel, register_office_only_event, register_round_link
        from candidates.workflow import NOMINATION_WORKFLOW
        from reserve.home import register_start_page
        from reserve.roles import Role

        from .selectors import nomination_panel
        from .services import create_requests, guard_dispatch
        from .views import start_page
        from .workflow import VettingEvent, close_answered

        register_start_page(start_page)
        register_nomination_panel("vetting/_nomination_panel.html", nomination_panel)
        register_round_link(_("负面清单"), "vetting:negative_list", {Role.OFFICE})
        register_round_link(_("资格联审台账"), "vetting:ledger", {Role.OFFICE})
        # After the round's vetting deadline changed: move the open requests' deadlines too.
        register_round_link(_("同步调整未答复请求的截止日期"), "vetting:sync_deadlines", {Role.OFFICE})
        # Dispatch asks the departments; when the vetting ends, their answers are locked.
        NOMINATION_WORKFLOW.add_guard("dispatch", guard_dispatch)
        NOMINATION_WORKFLOW.add_effect("dispatch", create_requests)
        NOMINATION_WORKFLOW.add_effect("vet_clear", close_answered)
        NOMINATION_WORKFLOW.add_effect("disqualify", close_answered)
        # The departments' answers and the office's decisions on them stay with the office (a clerk's name says
        # which department answered; a reason quotes the finding): other readers of the nomination never see them.
        for kind in (VettingEvent.ANSWER, VettingEvent.OVERRULE, VettingEvent.REOPEN):
            register_office_only_event(kind.value, hidden=True)

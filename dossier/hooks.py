"""Registrations of the one-person file (一人一档), connected from DossierConfig.ready(): the card on a reserve's
page with the links to the file and its PDF (for the office and the committee; the office also to the batch of
the reserve's village or unit)."""

from django.urls import reverse

from reserve.scope import Scope
from training.panels import register_reserve_panel

from . import selectors
from .forms import ALL_STATUSES

PANEL = "dossier/_reserve_panel.html"


def panel_context(reserve, user):
    scope = Scope.for_user(user)
    if not scope.has(*selectors.READERS) or not scope.can_see(reserve, roles=set(selectors.READERS)):
        return None
    batch = ""
    if scope.has(*selectors.BATCH_ROLES):
        # Everyone the village (unit) had in the pool, whatever their status now: the card is also on the page of
        # a reserve who has left it (the batch form's own default is 培养中 only).
        where = f"village={reserve.village_id}" if reserve.village_id else f"unit={reserve.unit_id}"
        batch = f"{reverse('dossier:dossier_zip')}?{where}&status={ALL_STATUSES}"
    return {"reserve": reserve, "page_url": reverse("dossier:dossier", args=[reserve.pk]),
            "pdf_url": reverse("dossier:dossier_pdf", args=[reserve.pk]), "batch_url": batch}


def connect():
    register_reserve_panel(PANEL, panel_context)

"""我的考核评分: the page where a mentor, a unit's head and a village branch find the assessments they score.

The office and the committee have the rounds' pages (403 here). The view parses the tab and the page, calls the
selectors of assessment.rounds and renders; scope is the selectors' (only the user's own reserves appear).
"""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from reserve.permissions import role_required

from . import rounds
from .forms_rounds import PAGE_SIZE

TABS = ("pending", "done")


@role_required(*rounds.SCORER_ROLES)
@require_GET
def mine(request):
    user = request.user
    tab = request.GET.get("tab")
    tab = tab if tab in TABS else TABS[0]
    rows = rounds.scorer_assessments(user, pending=tab == "pending")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    rounds.mark_scorer_rows(page, user)
    return render(request, "assessment/mine_list.html", {
        "page": page, "tab": tab, "counts": rounds.scorer_counts(user), "query": f"tab={tab}"})

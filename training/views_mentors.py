"""The office's mentor pages (结对帮扶): pairing a reserve with a mentor, the town's mentors and the reserves
still without one. Views parse the request, call one service and render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from reserve.exceptions import ActionRefused
from reserve.forms import add_errors
from reserve.permissions import role_required
from reserve.roles import Role
from reserve.scope import Scope
from reserve.workflow import local_today

from . import mentors
from .forms_mentors import PairForm
from .models import Reserve

PAGE_SIZE = 30


def reserve_url(reserve) -> str:
    """The reserve's page, or the pairing page while the pool's page is not there."""
    try:
        return reserve.get_absolute_url()
    except NoReverseMatch:
        return reverse("training:mentor_pair", args=[reserve.pk])


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def mentor_pair(request, pk):
    user = request.user
    reserve = Scope.for_user(user).get(
        Reserve.objects.select_related("term", "town", "village", "unit", "mentor"), pk, roles={Role.OFFICE})
    today = local_today()
    current = reserve.mentor
    initial = {"start": today}
    if not mentors.needs_committee(reserve):
        initial["proposed_by"] = reserve.unit_name[:mentors.PROPOSED_BY_MAX]
        initial["basis"] = _("单位推荐、党建办指定")
    else:
        initial["basis"] = _("镇党委会研究确定")
    form = PairForm(request.POST if request.method == "POST" else None, reserve=reserve, initial=initial)
    # The mentor this page shows, carried by the form (seen_mentor): a pairing from a page drawn before another
    # clerk's is refused, not silently replacing theirs. (The check guards honest users against a race; a POST
    # without the field — not from this page — is not checked: the office may pair anyway.)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        meeting = d.get("meeting")
        seen = mentors.parse_seen_mentor(request.POST.get("seen_mentor"))
        try:
            pairing = mentors.pair_mentor(user, reserve.pk, d["mentor"].pk, d["start"], d["basis"],
                                          meeting_id=meeting.pk if meeting else None,
                                          proposed_by=d.get("proposed_by", ""), today=today, seen_mentor=seen)
        except ValidationError as e:
            add_errors(form, e)
        except ActionRefused as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("已明确%(name)s的引路人：%(m)s（自%(d)s起）。") % {
                "name": reserve.name, "m": pairing.mentor, "d": f"{pairing.start:%Y-%m-%d}"})
            return redirect(reserve_url(reserve))
    seen_now = current.pk if current else mentors.NO_MENTOR_SEEN
    return render(request, "training/mentor_form.html", {
        "reserve": reserve, "form": form, "current": current, "seen_mentor": seen_now,
        "history": list(mentors.mentorships_of(reserve)),
        "committee_tier": mentors.needs_committee(reserve), "back_url": reserve_url(reserve),
        "no_meetings": mentors.needs_committee(reserve) and not mentors.pool_meetings_of(reserve.town_id).exists(),
    })


@role_required(Role.OFFICE, Role.COMMITTEE)
@require_GET
def mentor_list(request):
    user = request.user
    page = Paginator(mentors.town_mentors(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "training/mentor_list.html", {
        "page": page, "unpaired_count": mentors.reserves_without_mentor(user).count(), "tab": "mentors"})


@role_required(Role.OFFICE, Role.COMMITTEE)
@require_GET
def mentor_unpaired(request):
    user = request.user
    today = local_today()
    rows = mentors.reserves_without_mentor(user, today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for reserve in page.object_list:
        reserve.waiting_days = (today - reserve.start_date).days
    return render(request, "training/mentor_unpaired.html", {
        "page": page, "tab": "unpaired", "is_office": Scope.for_user(user).has(Role.OFFICE)})

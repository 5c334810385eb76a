"""Pages of talks (谈心谈话, 四必谈) and the mentor's desk. Views parse the request, call one service and
render; scope comes from the scope object (another's reserve is a 404), the role layer from role_required."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from reserve.exceptions import ActionRefused
from reserve.forms import add_errors
from reserve.permissions import role_required
from reserve.roles import Role
from reserve.scope import Scope
from reserve.workflow import local_today
from training.models import Reserve

from . import talks
from .forms_talks import DueTalkForm, TalkForm
from .models import TalkKind

PAGE_SIZE = 30
DESK_PAGE_SIZE = 20
DESK_PREVIEW = 5


def _reserve(user, pk):
    return Scope.for_user(user).get(Reserve.objects.select_related("term", "town", "village", "unit", "mentor"), pk)


def _is_own_mentor(user, reserve) -> bool:
    return Scope.for_user(user).has(Role.MENTOR) and reserve.mentor_id == user.pk


def _back_url(user, reserve) -> str:
    """Where a mentor goes back to (their desk), else the reserve's page (its talks while that page is not there)."""
    if _is_own_mentor(user, reserve) and not Scope.for_user(user).has(
            Role.OFFICE, Role.COMMITTEE, Role.VILLAGE, Role.UNIT):
        return reverse("cultivation:mentor_desk")
    try:
        return reserve.get_absolute_url()
    except NoReverseMatch:
        return reverse("cultivation:talk_list", args=[reserve.pk])


@role_required(*talks.TALK_WRITERS)
@require_http_methods(["GET", "POST"])
def talk_new(request, pk):
    user = request.user
    reserve = _reserve(user, pk)
    due = list(talks.open_due_talks_of(reserve))
    kind = request.GET.get("kind")
    initial = {
        "held_at": timezone.localtime().replace(second=0, microsecond=0, tzinfo=None),
        "kind": kind if kind in TalkKind.values else (due[0].kind if due else TalkKind.REGULAR),
        "talker": (user.full_name or "")[:talks.TALKER_MAX],
    }
    form = TalkForm(request.POST if request.method == "POST" else None, initial=initial)
    refused = "" if reserve.status in talks.TALKABLE else _("该同志当前状态为“%(s)s”，不再记录谈心谈话。") % {
        "s": reserve.get_status_display()}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            talk = talks.record_talk(user, reserve.pk, d["held_at"], d["place"], d["talker"], d["kind"], d["topic"],
                                     d["content"], d["follow_up"])
        except ValidationError as e:
            add_errors(form, e)
        except ActionRefused as e:
            form.add_error(None, e.message)
        else:
            text = _("已记录与%(name)s的谈心谈话。") % {"name": reserve.name}
            if talk.answered is not None:
                text += _("“%(k)s”事项已完成。") % {"k": talk.answered.get_kind_display()}
            messages.success(request, text)
            return redirect(_back_url(user, reserve))
    return render(request, "cultivation/talk_form.html", {
        "reserve": reserve, "form": form, "due_talks": due, "today": local_today(), "refused": refused,
        "back_url": _back_url(user, reserve),
    })


@role_required(*talks.TALK_READERS)
@require_GET
def talk_list(request, pk):
    user = request.user
    reserve = _reserve(user, pk)
    today = local_today()
    page = Paginator(talks.talks_of(user, reserve), PAGE_SIZE).get_page(request.GET.get("page"))
    due = list(talks.open_due_talks_of(reserve))
    for d in due:
        d.overdue = d.due_on < today
        d.note = talks.due_talk_note(d)
    return render(request, "cultivation/talk_list.html", {
        "reserve": reserve, "page": page, "due_talks": due, "may_record": talks.may_record_talk(user, reserve),
        "may_add_due": Scope.for_user(user).has(Role.OFFICE) and reserve.status in talks.TALKABLE,
        "talks_this_year": talks.talks_count_this_year(reserve, today), "year": today.year,
        "back_url": _back_url(user, reserve),
    })


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def due_talk_new(request, pk):
    user = request.user
    reserve = _reserve(user, pk)
    today = local_today()
    form = DueTalkForm(request.POST if request.method == "POST" else None, initial={"arose_on": today})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            due = talks.add_due_talk(user, reserve.pk, d["kind"], d["reason"], d["arose_on"], today=today)
        except ValidationError as e:
            add_errors(form, e)
        except ActionRefused as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("已添加应谈事项：%(k)s，应于%(d)s前谈话。") % {
                "k": due.get_kind_display(), "d": f"{due.due_on:%Y-%m-%d}"})
            note = talks.due_talk_note(due)
            if note:
                messages.warning(request, note)
            return redirect("cultivation:talk_list", reserve.pk)
    return render(request, "cultivation/talk_due_form.html", {
        "reserve": reserve, "form": form, "working_days": reserve.term.due_talk_working_days})


def _own(user) -> bool:
    """A mentor without a town-wide role reads their own lists."""
    scope = Scope.for_user(user)
    return not scope.has(Role.OFFICE, Role.COMMITTEE)


@role_required(*talks.LIST_READERS)
@require_GET
def talk_overdue(request):
    user = request.user
    today = local_today()
    own = _own(user)
    page = Paginator(talks.overdue_due_talks(user, today, own=own), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = talks.mark_due_rows(page.object_list, today)
    return render(request, "cultivation/talk_overdue.html", {"page": page, "own": own, "tab": "overdue"})


@role_required(*talks.LIST_READERS)
@require_GET
def talk_missing(request):
    user = request.user
    today = local_today()
    own = _own(user)
    page = Paginator(talks.reserves_short_of_talks(user, today, own=own), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = talks.mark_short_rows(page.object_list, today)
    return render(request, "cultivation/talk_missing.html", {
        "page": page, "own": own, "tab": "missing", "year": today.year})


@role_required(Role.MENTOR, Role.COMMITTEE)
@require_GET
def mentor_desk(request):
    """The mentor's start page (used on a phone): their reserves, talks due, reserves short of the yearly minimum,
    tasks awaiting their evaluation."""
    user = request.user
    today = local_today()
    page = Paginator(talks.mentor_reserves(user, today), DESK_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = talks.mark_short_rows(page.object_list, today)
    due_rows = talks.open_due_talks(user, own=True)
    due = list(due_rows[:DESK_PREVIEW])
    for d in due:
        d.overdue = d.due_on < today
    short_rows = talks.reserves_short_of_talks(user, today, own=True)
    tasks_rows = talks.tasks_to_evaluate(user)
    tasks = list(tasks_rows[:DESK_PREVIEW])
    for t in tasks:
        try:
            t.url = reverse("cultivation:task_detail", args=[t.pk])
        except NoReverseMatch:
            t.url = ""
    return render(request, "cultivation/mentor_desk.html", {
        "page": page, "due_talks": due, "due_count": due_rows.count(),
        "overdue_count": talks.overdue_due_talks(user, today, own=True).count(),
        "short": list(short_rows[:DESK_PREVIEW]), "short_count": short_rows.count(),
        "tasks": tasks, "tasks_count": tasks_rows.count(), "today": today, "year": today.year,
    })

"""Pages of how people enter the pool: committee meetings, the entry form of each way, the office's review of
recommendations, relaxation, pool terms and follow-up visits. Views parse the form, call one service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reserve.exceptions import ActionRefused
from reserve.forms import add_errors
from reserve.models import Town
from reserve.permissions import role_required
from reserve.roles import Role, has_role
from reserve.scope import Scope
from reserve.workflow import local_today

from . import entry as services
from . import tiers
from .forms_entry import DecideForm, EntryForm, FollowUpForm, MeetingForm, PoolTermForm, RelaxationForm
from .models import PoolMeeting, PoolTerm, Reserve
from .workflow import RESERVE_WORKFLOW

PAGE_SIZE = 20
ENTRY_ROLES = (Role.OFFICE, Role.COMMITTEE, Role.UNIT, Role.VILLAGE)
WAY_LABELS = {
    Reserve.Source.COMMITTEE: _("镇党委会研究确定（第一至第三梯队）"),
    Reserve.Source.RECOMMENDED: _("推荐入库（第四梯队，党建办审核）"),
    Reserve.Source.ADDED: _("优秀人才立即补进"),
    Reserve.Source.RECRUITED: _("引进人才"),
}


def reserve_url(reserve) -> str:
    """The reserve's page, "" while the pool's pages are not there."""
    try:
        return reserve.get_absolute_url()
    except NoReverseMatch:
        return ""


def _town(request):
    scope = Scope.for_user(request.user)
    if not scope.town_id:
        raise Http404
    return Town.objects.get(pk=scope.town_id)


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


# --- committee meetings ---------------------------------------------------------------------------------


@role_required(Role.OFFICE, Role.COMMITTEE)
@require_GET
def meeting_list(request):
    rows = (Scope.for_user(request.user).filter(PoolMeeting).annotate(decided=Count("reserves"))
            .order_by("-date", "-id"))
    return render(request, "training/meeting_list.html", {"page": _page(request, rows)})


@role_required(Role.OFFICE, Role.COMMITTEE)
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    form = MeetingForm(request.POST or None, initial={"date": local_today()})
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("已登记党委会议，下一步：录入会议研究确定的人员。"))
            return redirect("training:meeting_detail", pk=meeting.pk)
    return render(request, "training/meeting_form.html", {"form": form})


@role_required(Role.OFFICE, Role.COMMITTEE)
@require_GET
def meeting_detail(request, pk):
    meeting = Scope.for_user(request.user).get(PoolMeeting.objects.select_related("recorded_by"), pk)
    page = _page(request, meeting.reserves.select_related("village", "unit").order_by("tier", "id"))
    for r in page:
        r.url = reserve_url(r)
    return render(request, "training/meeting_detail.html", {"meeting": meeting, "reserves": page, "page": page})


# --- entering the pool ----------------------------------------------------------------------------------


@role_required(*ENTRY_ROLES)
@require_http_methods(["GET", "POST"])
def entry_new(request):
    user = request.user
    ways = services.ways_for(user)
    way = request.GET.get("way") or (ways[0] if ways else "")
    if way not in ways:
        if way in services.WAYS:
            raise Http404
        way = ways[0]
    town = _town(request)
    initial = {}
    meeting_id = request.GET.get("meeting", "")
    if meeting_id.isdigit() and len(meeting_id) < 19:
        initial["meeting"] = meeting_id
    form = EntryForm(request.POST or None, user=user, source=way, town=town, initial=initial)
    conditions = []
    if request.method == "POST" and form.is_valid():
        data = services.Entry(**form.entry_kwargs())
        try:
            reserve = services.enter(actor=user, entry=data)
        except ValidationError as e:
            add_errors(form, e)
            conditions = services.preview(actor=user, entry=data)
        except ActionRefused as e:
            form.add_error(None, str(e))
        else:
            if reserve.status == Reserve.Status.PROPOSED:
                messages.success(request, _("已推荐%(n)s入库，待镇党建办审核。") % {"n": reserve.name})
                return redirect("training:review_list")
            messages.success(request, _("%(n)s已入库（%(t)s），本届培养期至%(d)s。下一步：明确引路人。") % {
                "n": reserve.name, "t": reserve.get_tier_display(), "d": f"{reserve.term_end:%Y-%m-%d}"})
            url = reserve_url(reserve)
            if url:
                return redirect(url)
            if reserve.meeting_id:
                return redirect("training:meeting_detail", pk=reserve.meeting_id)
            return redirect(f"{reverse('training:entry_new')}?way={way}")
    return render(request, "training/entry_form.html", {
        "form": form, "way": way, "way_label": WAY_LABELS[way],
        "ways": [(w, WAY_LABELS[w]) for w in ways], "conditions": conditions,
        "conditions_met": conditions and all(c.met for c in conditions),
    })


# --- the review of recommendations ----------------------------------------------------------------------


def _review_page(request, *, show_all=None, refused=None):
    """The review list's context; `refused` is a decision the form refused ({"pk", "reason", "errors"}): its row
    shows the errors with the typed reason kept."""
    is_office = has_role(request.user, Role.OFFICE)
    if show_all is None:
        show_all = not is_office or request.GET.get("all") == "1"
    rows = Scope.for_user(request.user).filter(
        Reserve.objects.filter(source=Reserve.Source.RECOMMENDED).select_related("village", "unit"))
    if not show_all:
        rows = rows.filter(status=Reserve.Status.PROPOSED)
    rows = rows.order_by("-created_at", "-id")
    page = _page(request, rows)
    reasons = services.decline_reasons([r.pk for r in page.object_list])
    for r in page.object_list:
        r.url = reserve_url(r)
        r.decline_reason = reasons.get(r.pk, "")
        r.refused = refused if refused and refused["pk"] == r.pk else None
    return {"page": page, "is_office": is_office, "show_all": show_all, "query": "all=1" if show_all else "",
            "refused": refused}


@role_required(Role.OFFICE, Role.UNIT, Role.VILLAGE)
@require_GET
def review_list(request):
    """The office: recommendations awaiting review (?all=1: every recommendation); a unit or village: its own
    recommendations and their outcome."""
    return render(request, "training/entry_review_list.html", _review_page(request))


@role_required(Role.OFFICE)
@require_POST
def review_decide(request, pk):
    form = DecideForm(request.POST)
    if not form.is_valid():
        if set(form.errors) == {"reason"}:
            # Only the reason is wrong (e.g. too long): the list again, the row's errors and the typed text kept.
            reserve = Scope.for_user(request.user).get(Reserve.objects.all(), pk, roles={Role.OFFICE})
            refused = {"pk": reserve.pk, "name": reserve.name, "reason": request.POST.get("reason", ""),
                       "errors": form.errors["reason"]}
            return render(request, "training/entry_review_list.html",
                          _review_page(request, show_all=False, refused=refused))
        messages.error(request, _("提交的内容有误，请刷新页面后重试。"))
        return redirect("training:review_list")
    d = form.cleaned_data
    try:
        reserve = services.review(actor=request.user, reserve_id=pk, action=d["action"], reason=d["reason"],
                                  version=d["version"])
    except ActionRefused as e:
        messages.error(request, str(e))
    else:
        messages.success(request, f"{reserve.name}：{RESERVE_WORKFLOW[d['action']].done}")
    return redirect("training:review_list")


# --- relaxation and follow-up on a reserve ------------------------------------------------------------------


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def relaxation_new(request, pk):
    reserve = Scope.for_user(request.user).get(
        Reserve.objects.select_related("term", "village", "unit", "nomination"), pk, roles={Role.OFFICE})
    form = RelaxationForm(request.POST or None, initial={
        "version": reserve.version, "relaxation_approved_on": local_today(),
        "relaxation_reason": reserve.relaxation_reason, "relaxation_approved_by": reserve.relaxation_approved_by})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.relaxation_record(actor=request.user, reserve_id=pk, reason=d["relaxation_reason"],
                                       approved_by=d["relaxation_approved_by"],
                                       approved_on=d["relaxation_approved_on"], version=d["version"])
        except ValidationError as e:
            add_errors(form, e)
        except ActionRefused as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("已记录放宽条件。"))
            return redirect(reserve_url(reserve) or reverse("training:review_list"))
    conditions = tiers.evaluate(reserve, reserve.tier, reserve.term, tiers.reference_day(reserve))
    return render(request, "training/entry_relaxation_form.html", {
        "form": form, "reserve": reserve, "conditions": conditions, "reserve_url": reserve_url(reserve)})


@role_required(*services.FOLLOW_UP_ROLES)
@require_http_methods(["GET", "POST"])
def followup_new(request, pk):
    reserve = Scope.for_user(request.user).get(Reserve.objects.select_related("village", "unit"), pk,
                                               roles=set(services.FOLLOW_UP_ROLES))
    form = FollowUpForm(request.POST or None, initial={"date": local_today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_record(actor=request.user, reserve_id=pk, **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        except ActionRefused as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("已记录回访跟踪。"))
            return redirect(reserve_url(reserve) or reverse("training:followup_new", args=[pk]))
    visits = reserve.follow_ups.order_by("-date", "-id")[:50]
    return render(request, "training/followup_form.html", {
        "form": form, "reserve": reserve, "visits": visits, "reserve_url": reserve_url(reserve)})


# --- pool terms -------------------------------------------------------------------------------------------


@role_required(Role.OFFICE, Role.COMMITTEE)
@require_GET
def term_list(request):
    rows = (Scope.for_user(request.user).filter(PoolTerm, roles={Role.OFFICE, Role.COMMITTEE})
            .annotate(active=Count("reserves", filter=_active_filter())).order_by("-start", "-id"))
    return render(request, "training/term_list.html", {
        "page": _page(request, rows), "is_office": has_role(request.user, Role.OFFICE)})


def _active_filter():
    from django.db.models import Q

    return Q(reserves__status=Reserve.Status.ACTIVE)


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def term_edit(request, pk=None):
    term = None
    if pk is not None:
        term = Scope.for_user(request.user).get(PoolTerm.objects.all(), pk, roles={Role.OFFICE})
    form = PoolTermForm(request.POST or None, instance=term)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            saved, changed = services.term_save(actor=request.user, values=values, term_id=pk)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("已保存人才库届期“%(n)s”。") % {"n": saved.name} + (
                _("已按新参数重新核对在库人员的梯队条件，%(c)d人结果有变化。") % {"c": changed} if pk else ""))
            return redirect("training:term_list")
    return render(request, "training/term_form.html", {"form": form, "term": term})

"""The organisation office's 公示 pages: notices, their PDF, objections, confirmation into the pool,
and the town's working-day table. (The public page is in views_public.py.)

Views parse the request, call one service and render. Scope comes from the selectors (another
town's notice or objection is a 404; a village branch sees only its own village's notices); the
role layer from role_required. Objections name their objectors: only the office sees them.
"""

import datetime

import chinese_calendar
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from candidates.panels import pool_page_for
from candidates.selectors import rounds_visible_to
from candidates.views_rounds import round_from_request
from reserve import audit
from reserve.dates import cn_date
from reserve.exceptions import ActionRefused
from reserve.forms import add_errors
from reserve.pdf import pdf_response
from reserve.permissions import role_required
from reserve.qr import public_qr_data_uri
from reserve.roles import Role, has_role
from reserve.selectors import calendar_days_of, villages_with_ids
from reserve.services import calendar_save
from reserve.workdays import days_label
from reserve.workflow import local_today

from . import services
from .forms import (
    AssignForm,
    CalendarDayFormSet,
    ConcludeForm,
    DecideForm,
    NoticeForm,
    ObjectionRecordForm,
    VerifyForm,
)
from .selectors import (
    awaiting_publicity_count,
    awaiting_publicity_names,
    get_notice_for_user_or_404,
    get_objection_for_user_or_404,
    get_objection_to_decide_or_404,
    notice_entries,
    notice_objections,
    notice_people,
    notices_with_counts,
    objection_steps,
    referred_objections,
    stored_notice_pdf,
)

READERS = (Role.OFFICE, Role.COMMITTEE, Role.VILLAGE)
# How far from today a start date may be for the live period (the form itself refuses more than a year).
PERIOD_RANGE = datetime.timedelta(days=10 * 366)


def public_url(request, notice) -> str:
    """The absolute address of a notice's public page (printed as a QR code)."""
    path = reverse("publicity:public_notice", args=[notice.token])
    base = (getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    return base + path if base else request.build_absolute_uri(path)


def _official_calendar_known(year: int) -> bool:
    try:
        chinese_calendar.is_workday(datetime.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


# --- notices ------------------------------------------------------------------------------------

@role_required(*READERS)
@require_GET
def notice_list(request):
    user = request.user
    round_ = round_from_request(request, default="latest")
    is_office = has_role(user, Role.OFFICE)
    return render(request, "publicity/notice_list.html", {
        "notices": notices_with_counts(user, round_, with_open_objections=is_office),
        "round": round_, "rounds": rounds_visible_to(user), "today": timezone.localdate(),
        "is_office_view": is_office,
        "pending": awaiting_publicity_count(user, round_) if is_office and round_ is not None else 0,
    })


def _period_context(round_, start: datetime.date, *, posted: bool = False) -> dict:
    """The period a notice of this round starting on `start` would have (posted: a paper notice posted that day),
    and what the date rules say of that start (publicity.services: a notice entered now starts today at the
    earliest; a paper notice was posted on a day that has come)."""
    today = local_today()
    period = services.publicity_period(round_, start)
    problem = (services.rule_posted_not_in_future(posted_on=start, today=today) if posted
               else services.rule_starts_not_in_past(start=start, posted_on=None, today=today))
    return {
        "period": period, "start_label": cn_date(period.start), "end_label": cn_date(period.end),
        "note": services.calendar_note(period), "shifted": period.start != start,
        "requested_label": cn_date(start), "posted": posted,
        "date_problem": problem[1] if problem else "",
        "confirmable_label": cn_date(period.end + datetime.timedelta(days=1)),
    }


def _parse_date(raw):
    try:
        day = datetime.date.fromisoformat((raw or "").strip())
    except ValueError:
        return None
    return day if abs(day - timezone.localdate()) <= PERIOD_RANGE else None


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def notice_new(request):
    user = request.user
    round_ = round_from_request(request, default="latest")
    if round_ is None:
        messages.error(request, _("尚无选拔批次，不能发布公示。"))
        return redirect("publicity:notice_list")
    names = awaiting_publicity_names(user, round_)
    villages = villages_with_ids(user, names)
    town = round_.town
    today = local_today()
    form = NoticeForm(
        request.POST if request.method == "POST" else None, villages=villages, names=names,
        initial={"start_date": max(round_.publicity_start, today), "contact_phone": town.office_phone,
                 "contact_address": town.office_address},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            notices, refused = services.notice_publish_batch(
                actor=user, round_=round_, villages=list(d["villages"]), **form.dates(),
                contact_phone=d["contact_phone"], contact_address=d["contact_address"],
                public_url_for=lambda n: public_url(request, n), today=today,
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            for message in refused:
                messages.warning(request, message)
            if notices:
                first = notices[0]
                messages.success(request, _(
                    "已发布%(n)d份公示（%(v)s），公示时间%(a)s至%(b)s；公示期满后（%(c)s起）可确认入库。") % {
                    "n": len(notices), "v": "、".join(n.village.name for n in notices),
                    "a": cn_date(first.start_date), "b": cn_date(first.end_date),
                    "c": cn_date(services.confirmable_from(first))})
                if first.posted_before_entry:
                    messages.info(request, _("已记录：纸质公示于%(p)s先行张贴，%(e)s由%(u)s录入系统。") % {
                        "p": cn_date(first.posted_on), "e": cn_date(first.entered_on), "u": user})
                if len(notices) == 1:
                    return redirect(first)
                return redirect(f"{reverse('publicity:notice_list')}?round={round_.pk}")
            return redirect(f"{reverse('publicity:notice_new')}?round={round_.pk}")
    # The period as the form stands (the posted dates after an error, else the initial one).
    posted = form.is_bound and bool(form.data.get("posted_first"))
    if form.is_bound:
        start = _parse_date(form.data.get("posted_on" if posted else "start_date"))
    else:
        start = max(round_.publicity_start, today)
    return render(request, "publicity/notice_form.html", {
        "form": form, "round": round_, "rounds": rounds_visible_to(user),
        "days_label": days_label(round_.publicity_days, round_.publicity_day_kind),
        **(_period_context(round_, start, posted=posted) if start else {"invalid": True}),
    })


@role_required(Role.OFFICE)
@require_GET
def notice_period(request):
    """The live period on the publish form: an HTML fragment for ?round=&start=."""
    round_ = round_from_request(request, default="latest")
    if round_ is None:
        raise Http404
    start = _parse_date(request.GET.get("start"))
    posted = request.GET.get("posted") == "1"
    context = _period_context(round_, start, posted=posted) if start else {"invalid": True}
    return render(request, "publicity/_period.html", {"round": round_, **context})


@role_required(*READERS)
@require_GET
def notice_detail(request, pk):
    user = request.user
    notice = get_notice_for_user_or_404(user, pk)
    today = local_today()
    referred = referred_objections(notice, user)
    context = {
        "notice": notice, "entries": notice_entries(notice),
        "today": today, "is_office_view": has_role(user, Role.OFFICE),
        "start_label": cn_date(notice.start_date), "end_label": cn_date(notice.end_date),
        "confirmable_label": cn_date(services.confirmable_from(notice)),
        "referred": [(o, DecideForm(prefix=f"decide-{o.pk}", initial={"version": o.version})) for o in referred],
    }
    if context["is_office_view"]:
        url = public_url(request, notice)
        people = notice_people(notice, user, today)
        context.update({
            "public_url": url, "qr": public_qr_data_uri(url), "people": people,
            "objections": notice_objections(notice),
            "any_publicised": any(p["publicised"] for p in people),
            "any_confirmable": any(p["confirmable"] for p in people),
        })
    return render(request, "publicity/notice_detail.html", context)


@role_required(*READERS)
@require_GET
def notice_pdf(request, pk):
    """The PDF stored at publication, as it was printed and posted: never rendered again."""
    notice = get_notice_for_user_or_404(request.user, pk)
    return pdf_response(stored_notice_pdf(notice), f"{notice.title}.pdf")


@role_required(Role.OFFICE)
@require_POST
def notice_confirm(request, pk):
    notice = get_notice_for_user_or_404(request.user, pk)
    done, refused = services.confirm_batch(actor=request.user, notice=notice)
    if done:
        messages.success(request, _("已确认%(n)d人进入后备干部库，下一步：在后备干部库中为其安排培养。") % {"n": done})
    for message in refused:
        messages.warning(request, _("未能入库：%(m)s") % {"m": message})
    if not done and not refused:
        messages.info(request, _("本公示没有待确认入库的人选。"))
    return redirect(notice)


# --- objections ---------------------------------------------------------------------------------

@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def objection_new(request, pk):
    notice = get_notice_for_user_or_404(request.user, pk)
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = ObjectionRecordForm(request.POST if request.method == "POST" else None, notice=notice,
                               initial={"received_at": now})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            objection = services.objection_record(
                actor=request.user, notice=notice, channel=d["channel"], content=d["content"], name=d["name"],
                phone=d["phone"], entry=d["entry"], received_at=d["received_at"],
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            when = ""
            if objection.is_early:
                when = _("（公示开始前收到，已标注“提前收到”）")
            elif objection.is_late:
                when = _("（公示期满后收到，已标注“期满后收到”）")
            messages.success(request, _("已登记异议，受理编号%(r)s%(w)s。下一步：核实反映的情况。") % {
                "r": objection.receipt, "w": when})
            return redirect(objection)
    return render(request, "publicity/objection_form.html", {"notice": notice, "form": form})


OPS = ("assign", "verify", "conclude")


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def objection_detail(request, pk):
    user = request.user
    objection = get_objection_for_user_or_404(user, pk)
    op = request.POST.get("op") if request.method == "POST" else None
    if request.method == "POST" and op not in OPS:
        messages.error(request, _("未知操作。"))
        return redirect(objection)
    initial = {"version": objection.version}

    def bound(name):
        return request.POST if op == name else None

    forms = {
        "assign": AssignForm(bound("assign"), prefix="assign", objection=objection, initial=initial),
        "verify": VerifyForm(bound("verify"), prefix="verify", initial=initial),
        "conclude": ConcludeForm(bound("conclude"), prefix="conclude", initial=initial),
    }
    if op:
        form = forms[op]
        if form.is_valid():
            d = form.cleaned_data
            try:
                if op == "assign":
                    services.objection_assign(actor=user, objection_id=objection.pk, version=d["version"],
                                              entry=d["entry"])
                    done = _("已指定反映对象。")
                elif op == "verify":
                    services.objection_verify(actor=user, objection_id=objection.pk, version=d["version"],
                                              verified_by=d["verified_by"], verification=d["verification"])
                    done = _("已记录核实情况。")
                else:
                    services.objection_conclude(actor=user, objection_id=objection.pk, version=d["version"],
                                                upheld=d["upheld"], reason=d["reason"])
                    done = (_("已认定反映属实并提请镇党委研究。党委作出决定（取消人选资格或维持）前，该人选不能确认入库。")
                            if d["upheld"] else _("已作出结论：反映不属实，该异议已办结。"))
            except ActionRefused as e:
                messages.error(request, e.message)
                return redirect(objection)
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, done)
                return redirect(objection)
    shown = objection_steps(objection, user)
    if op and not shown[op]:
        # The form posted to is not on this page (a stale page): say why instead of showing it unchanged.
        messages.error(request, _("这一步现在不能办理（异议的状态已变化），请按页面提示操作。"))
    entry = objection.entry
    audit.record(audit.AuditEntry.Action.VIEW, request=request, obj=objection, detail={
        "page": "objection_detail", "objector": True, "entry": entry.pk if entry else ""})
    return render(request, "publicity/objection_detail.html", {
        "o": objection, "notice": objection.notice, "entry": entry,
        "nomination": entry.nomination if entry else None,
        # The person's page in the pool, where a reserve is adjusted (调整出库): named by the pool's registry.
        "pool_url": pool_page_for(entry.nomination if entry else None),
        "assign_form": forms["assign"] if shown["assign"] else None,
        "verify_form": forms["verify"] if shown["verify"] else None,
        "conclude_form": forms["conclude"] if shown["conclude"] else None,
        "decide_form": DecideForm(prefix=f"decide-{objection.pk}", initial=initial) if shown["decide"] else None,
    })


@role_required(Role.OFFICE, Role.COMMITTEE)
@require_POST
def objection_decide(request, pk):
    """The committee's decision on an objection the office found true (the committee, or the office recording
    it): from the notice's page, or the objection's (the office)."""
    user = request.user
    objection = get_objection_to_decide_or_404(user, pk)
    back = objection.get_absolute_url() if (request.POST.get("back") == "objection"
                                            and has_role(user, Role.OFFICE)) else objection.notice.get_absolute_url()
    form = DecideForm(request.POST, prefix=f"decide-{objection.pk}")
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(back)
    d = form.cleaned_data
    name = objection.entry.name if objection.entry else ""
    try:
        services.objection_committee_decide(actor=user, objection_id=objection.pk, version=d["version"],
                                            cancel=d["cancel"], reason=d["reason"])
    except ActionRefused as e:
        messages.error(request, e.message)
        return redirect(back)
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
        return redirect(back)
    if d["cancel"]:
        messages.success(request, _("已记录党委研究决定：取消%(n)s的人选资格（状态改为“未确定”）。公示页面已标注其不再作为拟确定人选，"
                                    "不再受理针对其的反映；反映人查询回执时显示已办结。") % {"n": name})
    else:
        messages.success(request, _("已记录党委研究决定：维持%(n)s的人选资格，该异议已办结。公示期满（%(d)s）后，"
                                    "如无其他未办结的异议，可确认入库。") % {
            "n": name, "d": cn_date(objection.notice.end_date)})
    return redirect(back)


# --- the town's working-day table -----------------------------------------------------------------

@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def calendar_days(request):
    user = request.user
    if not user.town_id:
        raise PermissionDenied
    formset = CalendarDayFormSet(request.POST if request.method == "POST" else None,
                                 queryset=calendar_days_of(user), prefix="days")
    if request.method == "POST" and formset.is_valid():
        try:
            calendar_save(actor=user, formset=formset)
        except ValidationError as e:
            for message in e.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已保存本镇工作日调整表。"))
            return redirect("publicity:calendar")
    year = timezone.localdate().year
    return render(request, "publicity/calendar.html", {
        "formset": formset,
        "years": [(y, _official_calendar_known(y)) for y in (year, year + 1)],
    })

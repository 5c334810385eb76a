"""Pages of practice (tasks, meetings attended) and training (courses, enrolments, the rotation subsidy).

Views parse the request, call one service and render. The role layer is role_required (a role that may never
see the page: 403); scope is the selectors' (another town's or another reserve's object: 404).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from reserve.dates import cn_month
from reserve.exceptions import ActionRefused, NotAllowed, NotFound
from reserve.pdf import pdf_response, render_pdf
from reserve.permissions import role_required
from reserve.roles import Role
from reserve.scope import Scope
from reserve.workflow import local_today

from . import courses, practice
from .forms_practice import (
    AttendanceForm,
    CancelForm,
    CourseFilterForm,
    CourseForm,
    EnrolForm,
    EvaluateForm,
    MeetingForm,
    ReportForm,
    TaskForm,
)
from .models import Course

PER_PAGE = 20


def _reserve_url(reserve) -> str:
    """The reserve's page (the pool's), or the overdue list while the pool has no page for it."""
    try:
        return reserve.get_absolute_url()
    except NoReverseMatch:
        return reverse("cultivation:task_overdue")


def _page(request, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


# ----------------------------------------------------------------------------- tasks


@role_required(*practice.GIVERS)
@require_http_methods(["GET", "POST"])
def task_new(request, reserve_pk):
    user = request.user
    reserve = practice.reserve_for_practice(user, reserve_pk)
    form = TaskForm(request.POST if request.method == "POST" else None,
                    initial={"given_on": local_today(), "given_by": user.get_full_name() or user.username})
    if request.method == "POST" and form.is_valid():
        try:
            task = practice.task_give(actor=user, reserve_id=reserve.pk, **form.cleaned_data)
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("已交办任务“%(t)s”。") % {"t": task.title})
            return redirect("cultivation:task_detail", pk=task.pk)
    return render(request, "cultivation/task_form.html", {"reserve": reserve, "form": form})


TASK_FORMS = {"report": ReportForm, "evaluate": EvaluateForm, "cancel": CancelForm}


@role_required(*practice.READERS)
@require_http_methods(["GET", "POST"])
def task_detail(request, pk):
    user = request.user
    task = practice.task_for_user_or_404(user, pk)
    buttons = practice.task_buttons(task, user)
    initial = {"version": task.version}
    forms = {
        "report": ReportForm(prefix="report", initial={**initial, "reported_on": local_today()})
        if buttons["report_task"] else None,
        "evaluate": EvaluateForm(prefix="evaluate", initial=initial) if buttons["evaluate_task"] else None,
        "cancel": CancelForm(prefix="cancel", initial=initial) if buttons["cancel_task"] else None,
    }
    if request.method == "POST":
        op = request.POST.get("op")
        if op not in TASK_FORMS:
            messages.error(request, _("未知操作。"))
            return redirect("cultivation:task_detail", pk=task.pk)
        form = TASK_FORMS[op](request.POST, prefix=op)
        forms[op] = form
        if form.is_valid():
            d = form.cleaned_data
            try:
                if op == "report":
                    practice.task_report(actor=user, task_id=task.pk, version=d["version"], result=d["result"],
                                         reported_on=d["reported_on"])
                elif op == "evaluate":
                    practice.task_evaluate(actor=user, task_id=task.pk, version=d["version"], grade=d["grade"],
                                           comment=d["comment"])
                else:
                    practice.task_cancel(actor=user, task_id=task.pk, version=d["version"], reason=d["reason"])
            except ActionRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                action = {"report": "report_task", "evaluate": "evaluate_task", "cancel": "cancel_task"}[op]
                messages.success(request, str(practice.TASK_WORKFLOW[action].done))
                return redirect("cultivation:task_detail", pk=task.pk)
    return render(request, "cultivation/task_detail.html", {
        "task": task, "reserve": task.reserve, "forms": forms, "workflow": practice.TASK_WORKFLOW,
        "badge": practice.BADGES.get(task.status, "text-bg-secondary"), "today": local_today(),
    })


@role_required(*practice.OVERDUE_READERS)
@require_GET
def task_overdue(request):
    today = local_today()
    page = _page(request, practice.overdue_tasks(request.user, today))
    return render(request, "cultivation/task_overdue.html", {"page": page, "today": today})


# ----------------------------------------------------------------------------- meetings


@role_required(*practice.MEETING_RECORDERS)
@require_http_methods(["GET", "POST"])
def meeting_new(request, reserve_pk):
    user = request.user
    reserve = practice.reserve_for_practice(user, reserve_pk)
    form = MeetingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            practice.meeting_record(actor=user, reserve_id=reserve.pk, **form.cleaned_data)
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("已记录列席会议。"))
            return redirect(_reserve_url(reserve))
    return render(request, "cultivation/meeting_form.html", {"reserve": reserve, "form": form})


# ----------------------------------------------------------------------------- courses


@role_required(Role.OFFICE, Role.COMMITTEE)
@require_GET
def course_list(request):
    filters = CourseFilterForm(request.GET or None)
    kind, year = "", None
    if filters.is_valid():
        kind, year = filters.cleaned_data.get("kind") or "", filters.cleaned_data.get("year")
    qs = courses.courses_visible_to(request.user, kind=kind, year=year)
    page = _page(request, qs.annotate(enrolled=Count("enrolments")))
    query = "&".join(f"{k}={v}" for k, v in (("kind", kind), ("year", year or "")) if v)
    return render(request, "cultivation/course_list.html", {
        "page": page, "filters": filters, "query": query,
        "can_create": Scope.for_user(request.user).has(Role.OFFICE)})


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def course_new(request):
    form = CourseForm(request.POST if request.method == "POST" else None,
                      initial={"start": local_today(), "end": local_today()})
    if request.method == "POST" and form.is_valid():
        try:
            course = courses.course_create(actor=request.user, **form.cleaned_data)
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("已登记“%(t)s”，下一步：添加参训人员。") % {"t": course.title})
            return redirect("cultivation:course_detail", pk=course.pk)
    return render(request, "cultivation/course_form.html", {"form": form})


# The most reserves the enrolment form's choice lists (a name narrows them).
ENROL_CHOICES = 200


@role_required(Role.OFFICE, Role.COMMITTEE)
@require_http_methods(["GET", "POST"])
def course_detail(request, pk):
    user = request.user
    course = courses.course_for_user_or_404(user, pk)
    is_office = Scope.for_user(user).has(Role.OFFICE)
    enrol_form, who, more = None, "", False
    if is_office:
        candidates = courses.enrollable_reserves(course)
        if request.method == "GET":
            # The choice lists at most ENROL_CHOICES of the town's reserves (a town may have a thousand): a name
            # narrows it; a POST is checked against all of them.
            who = request.GET.get("who", "").strip()[:30]
            if who:
                candidates = candidates.filter(name__contains=who)
            shown = list(candidates.values_list("pk", flat=True)[:ENROL_CHOICES + 1])
            more = len(shown) > ENROL_CHOICES
            candidates = candidates.filter(pk__in=shown[:ENROL_CHOICES])
        enrol_form = EnrolForm(request.POST if request.method == "POST" else None, reserves=candidates)
    if request.method == "POST":
        if not is_office:
            raise NotAllowed
        if enrol_form.is_valid():
            try:
                enrolment = courses.course_enrol(actor=user, course_id=course.pk,
                                                 reserve_id=enrol_form.cleaned_data["reserve"].pk,
                                                 sending_unit=enrol_form.cleaned_data["sending_unit"])
            except ActionRefused as refusal:
                enrol_form.add_error(None, refusal.message)
            else:
                messages.success(request, _("已添加参训人员：%(n)s。") % {"n": enrolment.reserve.name})
                return redirect("cultivation:course_detail", pk=course.pk)
    page = _page(request, courses.enrolments_of_course(course))
    return render(request, "cultivation/course_detail.html", {
        "course": course, "page": page, "enrol_form": enrol_form, "is_office": is_office, "who": who,
        "more": more, "enrol_choices": ENROL_CHOICES,
        "is_rotation": course.kind == Course.Kind.ROTATION})


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def enrolment_edit(request, pk):
    user = request.user
    enrolment = courses.enrolment_for_user_or_404(user, pk, roles={Role.OFFICE})
    form = AttendanceForm(request.POST if request.method == "POST" else None, initial={
        "attended": {True: "1", False: "0"}.get(enrolment.attended, ""), "hours": enrolment.hours, "result": enrolment.result,
        "grade": enrolment.grade, "sending_unit": enrolment.sending_unit})
    if request.method == "POST" and form.is_valid():
        try:
            courses.enrolment_record(actor=user, enrolment_id=enrolment.pk, **form.cleaned_data)
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("已记录%(n)s的参训情况。") % {"n": enrolment.reserve.name})
            return redirect("cultivation:course_detail", pk=enrolment.course_id)
    return render(request, "cultivation/course_enrolment_form.html", {
        "enrolment": enrolment, "course": enrolment.course, "form": form})


# ----------------------------------------------------------------------------- the rotation subsidy

SUBSIDY_READERS = (Role.OFFICE, Role.COMMITTEE, Role.UNIT)


def _rotation_enrolment(user, pk):
    enrolment = courses.enrolment_for_user_or_404(user, pk)
    if enrolment.course.kind != Course.Kind.ROTATION:
        raise NotFound
    return enrolment


@role_required(*SUBSIDY_READERS)
@require_GET
def subsidy_detail(request, pk):
    enrolment = _rotation_enrolment(request.user, pk)
    months = courses.rotation_months(enrolment)
    unknown = sorted({y for m in months for y in m.unknown_years})
    return render(request, "cultivation/subsidy_detail.html", {
        "enrolment": enrolment, "course": enrolment.course, "months": months,
        "refusal": courses.subsidy_refusal(enrolment), "is_office": Scope.for_user(request.user).has(Role.OFFICE),
        "total_days": sum(m.count for m in months), "total": sum((m.amount for m in months), start=0),
        "warning": courses.calendar_warning(unknown)})


@role_required(*SUBSIDY_READERS)
@require_GET
def subsidy_pdf(request, pk, year, month):
    enrolment = _rotation_enrolment(request.user, pk)
    item = courses.rotation_month(enrolment, year, month)
    pdf = render_pdf("cultivation/subsidy_pdf.html", {
        "enrolment": enrolment, "course": enrolment.course, "reserve": enrolment.reserve, "item": item,
        "town": enrolment.course.town, "warning": courses.calendar_warning(item.unknown_years),
        "today": local_today()}, request=request)
    name = _("上派轮训补贴-%(n)s-%(m)s") % {"n": enrolment.reserve.name, "m": cn_month(item.month)}
    return pdf_response(pdf, name)

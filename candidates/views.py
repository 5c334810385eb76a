from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from reserve import audit, idnumber
from reserve.choices import Gender
from reserve.dates import age_on
from reserve.exceptions import ActionRefused, NotAllowed
from reserve.forms import add_errors
from reserve.pdf import pdf_response, render_pdf
from reserve.permissions import role_required
from reserve.roles import Role, roles_of
from reserve.selectors import villages_visible_to
from reserve.templatetags.reserve_tags import status_badge
from reserve.uploads import (
    add_upload_refusals,
    document_response,
    drop_pending,
    limit_upload_size,
    pending_info,
    size_limit_text,
    stash_pending,
    take_pending,
)

from . import services
from .eligibility import Applicant, evaluate
from .forms import (
    FamilyFormSet,
    IdentityForm,
    NominationFilterForm,
    NominationForm,
    ReasonForm,
    RelativeFormSet,
    RelaxationForm,
    ResumeFormSet,
    formset_rows,
)
from .panels import nomination_panels
from .selectors import (
    get_nomination_for_user_or_404,
    may_correct_identity,
    may_download_id_card,
    may_edit_nomination,
    may_record_relaxation,
    nomination_form_rows,
    nomination_list_page,
    nomination_timeline_rows,
)
from .selectors import (
    nomination_list as select_nominations,
)
from .views_rounds import round_from_request

PAGE_SIZE = 20
FORM_FAMILY_ROWS = 4  # the printed 自荐表 has at least this many rows for family members


@role_required(Role.OFFICE, Role.COMMITTEE, Role.VILLAGE)
def nomination_list(request):
    user = request.user
    villages = villages_visible_to(user)
    form = NominationFilterForm(request.GET or None, villages=villages)
    filters = {}
    if form.is_bound:
        if not form.is_valid():
            if "village" in form.errors:
                raise Http404  # another village's id in the query string is out of scope
            filters = {}
        else:
            d = form.cleaned_data
            filters = {
                "village_id": d["village"].pk if d["village"] else None,
                "status": d["status"] or None,
                "eligible": {"yes": True, "no": False}.get(d["eligible"]),
                "q": d["q"].strip() or None,
            }
    round_ = round_from_request(request, default="current")
    rows = select_nominations(user, round_id=round_.pk if round_ else None, **filters)
    page = nomination_list_page(rows, request.GET.get("page"), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "candidates/nomination_list.html", {
        "form": form, "page": page, "rows": _list_rows(page), "round": round_, "query": query.urlencode(),
    })


def _list_rows(page) -> list[dict]:
    """The cells of the list's rows, each worked out once here rather than through template lookups and filters
    per cell (the rows were most of the page's time): link, name, gender, birth month, village, basic conditions
    (with the failed rules' messages as the cell's title), status badge, submission time."""
    genders = dict(Gender.choices)
    return [{
        "url": n.get_absolute_url(),
        "name": n.name,
        "gender": genders.get(n.person.gender, ""),
        "birth": n.person.birth_date.strftime("%Y.%m") if n.person.birth_date else "",
        "village": n.village.name,
        "eligible": n.is_eligible,
        "failed": " ".join(r["message"] for r in n.eligibility if r.get("outcome") == "fail"),
        "badge": status_badge(n),
        "submitted": timezone.localtime(n.submitted_at).strftime("%Y-%m-%d %H:%M") if n.submitted_at else "",
    } for n in page]


def _upload_limits() -> dict:
    """The upload limit, for the script that shrinks a phone photo before sending it."""
    return {"max_upload_bytes": settings.UPLOAD_MAX_BYTES, "max_upload_text": size_limit_text()}


PENDING_FIELD = "id_card_pending"  # the hidden field naming an ID-card copy kept while the form is corrected


def _files(request):
    """The uploaded files of a POST, with the ID-card copy kept from an earlier try of the same form put back when
    no new one was chosen (a new one replaces it). Returns (files, the token of the kept copy used, or "")."""
    files = request.FILES
    token = request.POST.get(PENDING_FIELD, "")
    if "id_card_copy" in files:
        drop_pending(request.session, token)
        return files, ""
    kept = take_pending(request.session, token)
    if kept is None:
        return files, ""
    files = files.copy()
    files["id_card_copy"] = kept
    return files, token


def _forms(request, *, round_, village, nomination=None):
    town = round_.town
    data = request.POST if request.method == "POST" else None
    files, request.pending_token = _files(request) if request.method == "POST" else (None, "")
    initial_rows = nomination_form_rows(nomination) if nomination is not None else {
        "resume": [], "family": [], "relatives": []}
    form = NominationForm(data, files, instance=nomination, town=town, round_=round_,
                          initial=None if nomination else {"hukou_village": village})
    resume = ResumeFormSet(data, prefix="resume", initial=initial_rows["resume"] or None)
    family = FamilyFormSet(data, prefix="family", initial=initial_rows["family"] or None)
    relatives = RelativeFormSet(data, prefix="relatives", initial=initial_rows["relatives"] or None,
                                form_kwargs={"village": village})
    return form, resume, family, relatives


def _all_valid(request, form, resume, family, relatives):
    """Read the whole 自荐表: every form shows its errors; a file refused for its size is named on its field; the
    résumé lines are checked against the birth date the ID number gives."""
    form.is_valid()
    add_upload_refusals(request, [form])  # a file over the limit, refused as it arrived, named on its field
    parsed = form.cleaned_data.get("id_number")
    resume.form_kwargs["birth_date"] = parsed.birth_date if isinstance(parsed, idnumber.IdNumber) else None
    return all([f.is_valid() for f in (form, resume, family, relatives)])  # a list, so every form shows its errors


def _pending_upload(request, form, saved: bool) -> dict | None:
    """After a POST: forget the kept ID-card copy once the form is saved; otherwise keep the one this try brought
    (if it passed its checks), so that the corrected form need not choose it again. What the form shows of it."""
    token = request.pending_token
    if saved:
        drop_pending(request.session, token)
        return None
    if token:
        return pending_info(request.session, token)
    upload = form.new_upload() if "id_card_copy" not in form.errors else None
    return stash_pending(request.session, upload) if upload is not None else None


@role_required(Role.VILLAGE)
@require_http_methods(["GET", "POST"])
@limit_upload_size
def nomination_new(request):
    user = request.user
    # A malformed ?round= is taken as none: the current round.
    round_ = round_from_request(request, default="current", strict=False)
    if round_ is None:
        messages.error(request, _("当前没有进行中的选拔批次，不能填写自荐表。"))
        return redirect("home")
    village = user.village
    form, resume, family, relatives = _forms(request, round_=round_, village=village)
    pending = None
    if request.method == "POST" and _all_valid(request, form, resume, family, relatives):
        try:
            nomination = services.nomination_create(
                actor=user, round_=round_, person_data=form.person_data(), fields=form.nomination_fields(),
                resume=formset_rows(resume), family=formset_rows(family), relatives=formset_rows(relatives),
                id_card_copy=form.new_upload(),
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            _pending_upload(request, form, saved=True)
            messages.success(request, _("自荐表已保存为草稿。核对无误后请点击“提交镇组织办”。"))
            return redirect(nomination)
    if request.method == "POST":
        pending = _pending_upload(request, form, saved=False)
    return render(request, "candidates/nomination_form.html", {
        "form": form, "resume": resume, "family": family, "relatives": relatives,
        "round": round_, "village": village, "pending": pending, "pending_field": PENDING_FIELD, **_upload_limits(),
    })


@role_required(Role.VILLAGE)
@require_http_methods(["GET", "POST"])
@limit_upload_size
def nomination_edit(request, pk):
    nomination = get_nomination_for_user_or_404(request.user, pk)
    if not may_edit_nomination(nomination, request.user):
        messages.error(request, _("自荐表已提交，不能修改。"))
        return redirect(nomination)
    form, resume, family, relatives = _forms(
        request, round_=nomination.round, village=nomination.village, nomination=nomination
    )
    pending = None
    if request.method == "POST" and _all_valid(request, form, resume, family, relatives):
        try:
            nomination = services.nomination_update(
                actor=request.user, nomination_id=nomination.pk, person_data=form.person_data(),
                fields=form.nomination_fields(), resume=formset_rows(resume), family=formset_rows(family),
                relatives=formset_rows(relatives), id_card_copy=form.new_upload(),
            )
        except ValidationError as e:
            add_errors(form, e)
        except ActionRefused as e:
            messages.error(request, e.message)
            return redirect(nomination)
        else:
            _pending_upload(request, form, saved=True)
            messages.success(request, _("自荐表已保存。"))
            return redirect(nomination)
    if request.method == "POST":
        pending = _pending_upload(request, form, saved=False)
    return render(request, "candidates/nomination_form.html", {
        "form": form, "resume": resume, "family": family, "relatives": relatives,
        "round": nomination.round, "village": nomination.village, "nomination": nomination,
        "pending": pending, "pending_field": PENDING_FIELD, **_upload_limits(),
        "can_download_id_card": may_download_id_card(nomination, request.user),
    })


def _detail_page(request, nomination, *, identity_form=None, status=200):
    """The nomination's page; `identity_form`: the office's identity correction as posted and refused, shown again
    with what was typed and its errors, its panel open."""
    may_correct = may_correct_identity(nomination, request.user)
    return render(request, "candidates/nomination_detail.html", {
        "n": nomination,
        "actions": services.available_actions(nomination, request.user),
        "events": nomination_timeline_rows(nomination, request.user),
        "resume": nomination.resume.all(),
        "family": nomination.family.all(),
        "relatives": nomination.committee_relatives.all(),
        "can_edit": may_edit_nomination(nomination, request.user),
        "id_number_display": idnumber.mask(nomination.person.id_number),
        "can_unmask": Role.OFFICE in roles_of(request.user),
        "can_download_id_card": may_download_id_card(nomination, request.user),
        "panels": nomination_panels(nomination, request.user),
        "relaxation_form": RelaxationForm() if may_record_relaxation(nomination, request.user) else None,
        "identity_form": (identity_form or IdentityForm()) if may_correct else None,
    }, status=status)


@role_required(Role.OFFICE, Role.COMMITTEE, Role.VILLAGE)
def nomination_detail(request, pk):
    return _detail_page(request, get_nomination_for_user_or_404(request.user, pk))


def _form_errors(form) -> str:
    """A small form posted from the nomination's page, refused: its errors in one line, each with its field."""
    return "；".join(f"{form.fields[name].label}：{' '.join(errs)}" if name in form.fields else " ".join(errs)
                    for name, errs in form.errors.items())


@role_required(Role.OFFICE)
@require_POST
def nomination_identity(request, pk):
    """The office corrects the person's identity (name, ID number; a blank one stays): shared by every round and
    town the person was nominated in, so only the office of the town holding the current records may (the service
    checks). Refused: the nomination's page again, with what was typed and why, the panel open."""
    nomination = get_nomination_for_user_or_404(request.user, pk)
    form = IdentityForm(request.POST)
    if form.is_valid():
        try:
            services.person_correct_identity(actor=request.user, nomination_id=nomination.pk,
                                             name=form.cleaned_data["name"], id_number=form.cleaned_data["id_number"])
        except ActionRefused as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("已更正身份信息，原信息记入审计日志。其他批次的自荐表仍显示填报时的姓名。"))
            return redirect(nomination)
    if not may_correct_identity(nomination, request.user):  # the page offers no correction to show the form in
        messages.error(request, _("未更正身份信息：") + _form_errors(form))
        return redirect(nomination)
    return _detail_page(request, nomination, identity_form=form)


@role_required(Role.OFFICE)
@require_POST
def nomination_relaxation(request, pk):
    """The office records its decision to relax a basic condition (放宽条件) for this candidate."""
    nomination = get_nomination_for_user_or_404(request.user, pk)
    form = RelaxationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("未记录放宽条件：") + _form_errors(form))
        return redirect(nomination)
    d = form.cleaned_data
    try:
        nomination = services.record_relaxation(
            actor=request.user, nomination_id=nomination.pk, category=d["category"], reason=d["reason"],
            approved_by=d["approved_by"], approved_on=d["approved_on"])
    except ActionRefused as e:
        messages.error(request, e.message)
    else:
        messages.success(request, services.relaxation_done_message(nomination))
    return redirect(nomination)


@role_required(Role.OFFICE)
@require_POST
@never_cache
def nomination_id_number(request, pk):
    """The whole ID number, for the organisation office, on an explicit request; each showing is audited.

    Everywhere else the number is masked. POST only, so that no link, prefetch or history replays it.
    """
    nomination = get_nomination_for_user_or_404(request.user, pk)
    audit.record("view", request=request, obj=nomination, detail={"field": "身份证号码"})
    return render(request, "candidates/nomination_id_number.html", {
        "n": nomination, "id_number": nomination.person.id_number,
    })


@role_required(Role.OFFICE, Role.VILLAGE)
@require_POST
def nomination_action(request, pk, action):
    nomination = get_nomination_for_user_or_404(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("理由不能超过500字。"))
        return redirect(nomination)
    try:
        moved = services.perform(actor=request.user, nomination_id=nomination.pk, action=action,
                                 reason=form.cleaned_data["reason"], override=form.cleaned_data["override"])
    except ActionRefused as e:
        messages.error(request, e.message)
    else:
        messages.success(request, services.done_message(moved, action))
    return redirect(nomination)


@role_required(Role.OFFICE, Role.VILLAGE)  # not the committee: the copy shows the full ID number
def nomination_id_card(request, pk):
    nomination = get_nomination_for_user_or_404(request.user, pk)
    if not may_download_id_card(nomination, request.user):
        raise NotAllowed
    response = document_response(nomination.id_card_copy, f"身份证复印件-{nomination.name}")  # the name as filed
    audit.record("download", request=request, obj=nomination, detail={"file": "id_card"})
    return response


@role_required(Role.OFFICE, Role.COMMITTEE, Role.VILLAGE)
def nomination_form_pdf(request, pk):
    """The 自荐表 as a printed registration form, filled in (the village prints it for signatures and seal)."""
    nomination = get_nomination_for_user_or_404(request.user, pk)
    family = list(nomination.family.all())
    pdf = render_pdf("candidates/nomination_form_pdf.html", {
        "n": nomination,
        "id_number": idnumber.mask(nomination.person.id_number),
        "resume": nomination.resume.all(),
        "family_rows": family + [None] * max(0, FORM_FAMILY_ROWS - len(family)),
        "relatives": nomination.committee_relatives.all(),
        "age": age_on(nomination.person.birth_date, nomination.round.age_reference_date),
    }, request=request)
    return pdf_response(pdf, f"自荐表-{nomination.name}.pdf")  # the name as filed


@role_required(Role.VILLAGE)
@require_POST
def eligibility_check(request):
    """The live check on the form: evaluate what has been typed so far and render the result."""
    user = request.user
    round_ = round_from_request(request, default="current", strict=False, data=request.POST)
    if round_ is None:
        raise Http404  # no round to check against
    form = NominationForm(request.POST, town=round_.town)
    form.is_valid()
    d = form.cleaned_data
    relatives = RelativeFormSet(request.POST, prefix="relatives", form_kwargs={"village": user.village})
    relative_labels = [
        f"{row['cadre'].name}（{row['relation']}）" for row in formset_rows(relatives)
    ] if relatives.is_valid() else []
    parsed = d.get("id_number")
    hukou = d.get("hukou_village")
    applicant = Applicant(
        village_id=user.village_id, village_name=user.village.name,
        hukou_village_id=hukou.pk if hukou else None, hukou_village_name=hukou.name if hukou else "",
        birth_date=parsed.birth_date if parsed else d.get("birth_date"),
        fulltime_education=d.get("fulltime_education"), inservice_education=d.get("inservice_education"),
        relaxation_category=d.get("relaxation_category") or "", relaxation_note=d.get("relaxation_note") or "",
        declared_relatives=tuple(relative_labels),
    )
    result = evaluate(applicant, round_)
    html = render_to_string("candidates/_eligibility.html", {"rules": result.as_json(), "eligible": result.eligible,
                                                              "live": True}, request=request)
    return HttpResponse(html)

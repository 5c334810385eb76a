"""Writes for publicity: publishing notices, objections, and entry into the reserve pool.

A published notice is a snapshot: its text and the six allowed fields of each person are stored,
its PDF is rendered once at publication and served as a file afterwards.
"""

import datetime
import secrets
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Status
from candidates.selectors import nominations_visible_to
from candidates.services import apply_transition, perform
from inspection.models import CommitteeDecision
from reserve import audit
from reserve.choices import Education
from reserve.dates import cn_date as _cn_date
from reserve.exceptions import ActionRefused
from reserve.pdf import render_pdf
from reserve.qr import public_qr_data_uri
from reserve.roles import Role
from reserve.scope import Scope
from reserve.services import record_event
from reserve.text import clean_text
from reserve.workdays import Period, period_of
from reserve.workflow import local_today

from .models import Notice, NoticeEntry, Objection
from .workflow import OBJECTION_WORKFLOW, lock_objection


def calendar_note(period) -> str:
    if not period.is_estimate:
        return ""
    years = "、".join(str(y) for y in period.unknown_years)
    return _("系统尚无%(y)s年的国家法定节假日安排，公示期按周一至周五及本镇维护的节假日调整计算，请核对。") % {"y": years}


def publicity_period(round_, start: datetime.date) -> Period:
    """The 公示 period of a round's notice beginning on `start`: the round's number of days, counted in its kind
    (working days or calendar days). Every page and service counts it here."""
    return period_of(start, round_.publicity_days, round_.publicity_day_kind, town=round_.town)


def notice_body(*, round_, village, period, contact_phone, contact_address) -> str:
    """The standard wording of a 公示 notice (PRACTICE.md)."""
    return _(
        "经镇党委研究，拟确定以下同志为%(village)s村级后备干部人选，现予以公示。\n"
        "公示时间：%(start)s至%(end)s（%(n)s）。\n"
        "公示期间，如对公示对象有异议，可通过来电、来信、来访或扫描二维码在网上反映等方式向镇党委组织办反映。"
        "反映情况要实事求是，提倡以真实姓名反映。\n"
        "联系电话：%(phone)s；来信来访地址：%(address)s。"
    ) % {
        "village": village.name, "start": _cn_date(period.start), "end": _cn_date(period.end),
        "n": period.label, "phone": contact_phone, "address": contact_address,
    }


def _entry_for(nomination, order) -> NoticeEntry:
    person = nomination.person
    edu = nomination.highest_education
    return NoticeEntry(
        nomination=nomination, order=order, name=nomination.name, gender=person.get_gender_display(),
        birth_month=f"{person.birth_date.year}.{person.birth_date.month:02d}",
        education=Education(edu).label if edu else "",
        political_status=nomination.get_political_status_display(),
        work_unit_post=nomination.work_unit_post,
    )


def render_notice_pdf(notice, *, public_url: str) -> bytes:
    return render_pdf("publicity/notice_pdf.html", {
        "notice": notice, "entries": list(notice.entries.all()), "qr": public_qr_data_uri(public_url),
        "public_url": public_url,
    })


# --- the dates of a notice ---------------------------------------------------------------------

def committee_decision_dates(nominations) -> list[tuple[str, datetime.date]]:
    """(name, date) of the committee's decision (镇党委研究确定: its meeting's date) for each nomination that has
    one recorded; the latest decision when there were several."""
    found = {}
    decisions = (CommitteeDecision.objects.filter(nomination__in=nominations,
                                                  outcome=CommitteeDecision.Outcome.APPROVE)
                 .select_related("meeting", "nomination__person").order_by("meeting__date", "id"))
    for decision in decisions:
        found[decision.nomination_id] = (decision.nomination.name, decision.meeting.date)
    return list(found.values())


def _d(day) -> str:
    return _cn_date(day)


def rule_posted_not_in_future(*, posted_on, today):
    """A paper notice was posted on a day that has come."""
    if posted_on is not None and posted_on > today:
        return "posted_on", _("张贴日期（%(d)s）不能晚于今天。纸质公示尚未张贴的，不要勾选“纸质公示已先行张贴”。") % {
            "d": _d(posted_on)}
    return None


def rule_dated_not_in_future(*, issue_date, posted_on, today):
    """A notice's date (落款日期) has come. (A paper notice dated its posting day: the posting's rule says it.)"""
    if issue_date > today and issue_date != posted_on:
        return None, _("公示落款日期（%(d)s）不能晚于今天。") % {"d": _d(issue_date)}
    return None


def rule_dated_after_decision(*, issue_date, posted_on, decisions):
    """A notice's date, and a paper notice's posting, is not before the committee's decision on anyone on it."""
    for name, decided in decisions:
        if posted_on is not None and posted_on < decided:
            return "posted_on", _("张贴日期（%(d)s）早于镇党委研究确定%(n)s的日期（%(c)s）：公示须在党委研究确定之后。") % {
                "d": _d(posted_on), "n": name, "c": _d(decided)}
        if issue_date < decided:
            return None, _("公示落款日期（%(d)s）早于镇党委研究确定%(n)s的日期（%(c)s）：公示须在党委研究确定之后。") % {
                "d": _d(issue_date), "n": name, "c": _d(decided)}
    return None


def rule_starts_after_its_date(*, start, issue_date, posted_on):
    """A notice's period starts on or after its date (and a paper notice's on the day it was posted)."""
    if posted_on is not None and start != posted_on:
        return "start_date", _("纸质公示已先行张贴的，公示期从张贴日期（%(d)s）起计算。") % {"d": _d(posted_on)}
    if start < issue_date:
        return "start_date", _("公示开始日期（%(s)s）不能早于公示落款日期（%(d)s）。") % {
            "s": _d(start), "d": _d(issue_date)}
    return None


def rule_starts_not_in_past(*, start, posted_on, today):
    """A notice entered now cannot start in the past: the public gets its whole period (today is the earliest).
    A paper notice posted before it was entered starts on its posting day."""
    if posted_on is None and start < today:
        return "start_date", _("公示开始日期（%(s)s）早于今天：公示期不能从过去开始，最早从今天（%(t)s）开始。"
                               "如纸质公示已先行张贴，请勾选“纸质公示已先行张贴”并填写张贴日期。") % {
            "s": _d(start), "t": _d(today)}
    return None


def notice_date_errors(*, start, issue_date, posted_on, decisions, today) -> dict:
    """Every rule on a notice's dates: {field or None: [messages]} (empty: the dates are sound)."""
    errors = {}
    for found in (
        rule_posted_not_in_future(posted_on=posted_on, today=today),
        rule_dated_not_in_future(issue_date=issue_date, posted_on=posted_on, today=today),
        rule_dated_after_decision(issue_date=issue_date, posted_on=posted_on, decisions=decisions),
        rule_starts_after_its_date(start=start, issue_date=issue_date, posted_on=posted_on),
        rule_starts_not_in_past(start=start, posted_on=posted_on, today=today),
    ):
        if found:
            field, message = found
            errors.setdefault(field or "__all__", []).append(message)
    return errors


def _notice_dates(*, start_date, issue_date, posted_on, today):
    """The start and the date of a notice from what was given: a paper notice starts on, and is dated, the day it
    was posted unless said otherwise; a notice entered now is dated today."""
    if posted_on is not None:
        return start_date or posted_on, issue_date or posted_on
    if start_date is None:
        raise ValidationError({"start_date": _("请填写公示开始日期。")})
    return start_date, issue_date or today


def check_notice_dates(*, nominations, start_date, issue_date=None, posted_on=None, today) -> tuple:
    """Raise a ValidationError (per field) when the dates of a notice about these nominations break a rule;
    return (start, issue_date)."""
    start, issue_date = _notice_dates(start_date=start_date, issue_date=issue_date, posted_on=posted_on, today=today)
    errors = notice_date_errors(start=start, issue_date=issue_date, posted_on=posted_on,
                                decisions=committee_decision_dates(nominations), today=today)
    if errors:
        raise ValidationError(errors)
    return start, issue_date


def confirmable_from(notice) -> datetime.date:
    """The first day its people may be confirmed into the pool: the day after the period's last day."""
    return notice.end_date + datetime.timedelta(days=1)


# --- publishing -------------------------------------------------------------------------------

def _publishable(actor, round_, village, *, lock=False) -> list:
    qs = nominations_visible_to(actor)
    if lock:
        qs = qs.select_for_update(of=("self",))
    return list(qs.filter(round=round_, village=village, status=Status.APPROVED)
                .select_related("person", "round", "village").order_by("id"))


def notice_publish(*, actor, round_, village, contact_phone, contact_address, public_url_for, start_date=None,
                   issue_date=None, posted_on=None, today=None) -> Notice:
    """Publish the notice of one village: every nomination the committee approved, in one transaction.

    A notice entered now starts today at the earliest and is dated today (issue_date). A paper notice posted
    before it was entered (posted_on) is recorded as such: its period runs from the posting day, it is dated
    that day unless issue_date says otherwise, and who entered it when is kept and written into the event.
    public_url_for(notice) gives the absolute public address printed in the PDF's QR code.
    """
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE)
    scope.require(round_, roles={Role.OFFICE})
    scope.require(village, roles={Role.OFFICE})
    if not clean_text(contact_phone) or not clean_text(contact_address):
        raise ValidationError(_("请填写接受反映的联系电话和地址。"))
    today = today or local_today()
    with transaction.atomic():
        nominations = _publishable(actor, round_, village, lock=True)
        if not nominations:
            raise ActionRefused(_("%(v)s没有经党委研究确定、待公示的人选。") % {"v": village.name})
        start, issue_date = check_notice_dates(nominations=nominations, start_date=start_date,
                                               issue_date=issue_date, posted_on=posted_on, today=today)
        period = publicity_period(round_, start)
        notice = Notice.objects.create(
            round=round_, village=village,
            title=_("关于%(v)s村级后备干部人选的公示") % {"v": village.name},
            body=notice_body(round_=round_, village=village, period=period, contact_phone=contact_phone,
                             contact_address=contact_address),
            start_date=period.start, end_date=period.end, days=period.days, day_kind=period.kind,
            calendar_note=calendar_note(period),
            issuer=round_.town.party_committee_name or _("中共%(t)s委员会") % {"t": round_.town.name},
            issue_date=issue_date, posted_on=posted_on, entered_on=today,
            contact_phone=clean_text(contact_phone), contact_address=clean_text(contact_address), published_by=actor,
        )
        entries = [_entry_for(n, i) for i, n in enumerate(nominations, start=1)]
        for entry in entries:
            entry.notice = notice
        NoticeEntry.objects.bulk_create(entries)
        dates = {"start": f"{period.start}", "end": f"{period.end}", "days": period.label,
                 "issue_date": f"{issue_date}", "entered_on": f"{today}", "entered_by": str(actor)}
        if posted_on is not None:
            dates.update({"posted_before_entry": True, "posted_on": f"{posted_on}"})
        for nomination in nominations:
            apply_transition(nomination, "publish", actor=actor, today=today, data={"notice": notice.pk, **dates})
        record_event(notice, action="notice_publish", actor=actor,
                     data={"village": village.name, "people": [n.name for n in nominations], **dates})
        # Rendered once, here, and stored: the notice never changes, downloads serve this file.
        pdf = render_notice_pdf(notice, public_url=public_url_for(notice))
        notice.pdf.save(f"notice-{notice.pk}-{secrets.token_hex(4)}.pdf", ContentFile(pdf), save=True)
    return notice


def notice_publish_batch(*, actor, round_, villages, **kwargs) -> tuple[list[Notice], list[str]]:
    """Publish one notice per village; a village with nobody to publish is reported, not an error. Dates that
    break a rule for any village publish nothing (all the villages' problems are raised together)."""
    today = kwargs.pop("today", None) or local_today()
    errors = {}
    for village in villages:
        nominations = _publishable(actor, round_, village)
        if not nominations:
            continue
        try:
            check_notice_dates(nominations=nominations, start_date=kwargs.get("start_date"),
                               issue_date=kwargs.get("issue_date"), posted_on=kwargs.get("posted_on"), today=today)
        except ValidationError as e:
            for field, messages in e.message_dict.items():
                for message in messages:
                    if message not in errors.get(field, []):
                        errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)
    notices, refused = [], []
    with transaction.atomic():
        for village in villages:
            try:
                notices.append(notice_publish(actor=actor, round_=round_, village=village, today=today, **kwargs))
            except ActionRefused as e:
                refused.append(e.message)
    return notices, refused


# --- objections -------------------------------------------------------------------------------

MAX_CONTENT = 2000


def _receipt() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return timezone.localdate().strftime("YY%Y%m%d-") + "".join(secrets.choice(alphabet) for _i in range(6))


def _clean_objection(content, name, phone):
    content = clean_text(content)
    if not content:
        raise ValidationError({"content": _("请填写反映的具体内容。")})
    if len(content) > MAX_CONTENT:
        raise ValidationError({"content": _("反映内容不能超过%(n)d字。") % {"n": MAX_CONTENT}})
    return content, clean_text(name)[:30], clean_text(phone)[:30]


def received_flags(notice, day: datetime.date) -> dict:
    """An objection received on `day`: before the period starts (is_early, 提前收到) or after it ended (is_late).
    Neither is refused: both are recorded, flagged, and handled like the others."""
    return {"is_early": day < notice.start_date, "is_late": notice.ended(day)}


def earliest_objection_day(notice) -> datetime.date:
    """The earliest day an objection to this notice can have been received: the committee's decision on its
    people (an objection heard of before the notice was dated is still recorded), else the notice's date."""
    days = [notice.issue_date, notice.start_date] + ([notice.posted_on] if notice.posted_on else [])
    days += [d for _name, d in committee_decision_dates([e.nomination_id for e in notice.entries.all()])]
    return min(days)


def check_received_at(notice, received_at, *, now=None) -> None:
    """An objection the office records was received at a time that has come, and not before there was anything
    to object to (earliest_objection_day)."""
    now = now or timezone.now()
    if received_at > now + datetime.timedelta(minutes=5):
        raise ValidationError({"received_at": _("收到时间不能晚于现在。")})
    earliest = earliest_objection_day(notice)
    if timezone.localtime(received_at).date() < earliest:
        raise ValidationError({"received_at": _("收到时间不能早于%(d)s（镇党委研究确定或公示落款之日）。") % {
            "d": _cn_date(earliest)}})


def still_proposed(entry) -> bool:
    """Whether the person of a notice is still proposed (公示中 or confirmed): not once the committee cancelled
    the candidacy, nor once the nomination was withdrawn (mark_no_longer_proposed)."""
    return entry.withdrawn_on is None


def mark_no_longer_proposed(nomination, actor, today) -> None:
    """The nomination's effect of leaving 公示中 other than into the pool (the committee's cancellation on an
    objection, the office's withdrawal): its notice marks the person as no longer proposed."""
    NoticeEntry.objects.filter(nomination=nomination, withdrawn_on__isnull=True).update(withdrawn_on=today)


def rule_objection_about_someone_proposed(notice, entry) -> None:
    """The public page invites objections only against people still proposed, and about nobody in particular
    only while someone is. (The office records whatever reaches it by phone, letter or visit.)"""
    if entry is not None:
        if entry.notice_id != notice.pk:
            raise ValidationError({"entry": _("反映对象不在本公示中。")})
        if not still_proposed(entry):
            raise ValidationError({"entry": _("该同志已不再作为拟确定人选，不再受理针对其的反映。")})
    elif not notice.entries.filter(withdrawn_on__isnull=True).exists():
        raise ValidationError(_("本公示的人选均已不再作为拟确定人选，不再受理反映。"))


def _objection_event(objection, actor):
    entry = objection.entry
    if entry is not None:
        nomination = entry.nomination
        record_event(nomination, action="objection", actor=actor, from_status=nomination.status,
                     to_status=nomination.status,
                     data={"receipt": objection.receipt, "late": objection.is_late, "early": objection.is_early})


def objection_lodge_public(*, notice, content, name="", phone="", entry=None, now=None) -> Objection:
    """Anyone lodges an objection on the public page (anonymous allowed); returns it with its receipt.
    Before the period starts it is recorded as early, after it ended as late."""
    content, name, phone = _clean_objection(content, name, phone)
    rule_objection_about_someone_proposed(notice, entry)
    now = now or timezone.now()
    with transaction.atomic():
        objection = Objection.objects.create(
            notice=notice, entry=entry, receipt=_receipt(), channel=Objection.Channel.ONLINE, content=content,
            name=name, phone=phone, received_at=now, **received_flags(notice, timezone.localtime(now).date()),
        )
        _audit_objection(objection, None)
        _objection_event(objection, None)
    return objection


def objection_record(*, actor, notice, channel, content, name="", phone="", entry=None,
                     received_at=None) -> Objection:
    """The office records an objection received by phone, letter or visit (before the period: early; after
    it: late)."""
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE)
    scope.require(notice, roles={Role.OFFICE})
    if channel not in Objection.Channel.values:
        raise ValidationError({"channel": _("请选择反映方式。")})
    content, name, phone = _clean_objection(content, name, phone)
    if entry is not None and entry.notice_id != notice.pk:
        raise ValidationError({"entry": _("反映对象不在本公示中。")})
    received_at = received_at or timezone.now()
    check_received_at(notice, received_at)
    with transaction.atomic():
        objection = Objection.objects.create(
            notice=notice, entry=entry, receipt=_receipt(), channel=channel, content=content, name=name,
            phone=phone, received_at=received_at, recorded_by=actor,
            **received_flags(notice, timezone.localtime(received_at).date()),
        )
        _audit_objection(objection, actor)
        _objection_event(objection, actor)
    return objection


def _audit_objection(objection, actor) -> None:
    """The objection in the audit log: who recorded it, on which notice and entry (by id); its content and
    the objector's name and phone only as present or not (their values stay in the objection, seen by the
    office only)."""
    audit.record(audit.AuditEntry.Action.CREATE, user=actor, obj=objection, detail={
        "channel": objection.channel, "notice": objection.notice_id, "entry": objection.entry_id or "",
        "name": "有" if objection.name else "无", "phone": "有" if objection.phone else "无",
        "late": objection.is_late, "early": objection.is_early,
    })


def objection_assign(*, actor, objection_id, version, entry) -> Objection:
    """Name the person an objection is about, when the objector did not."""
    Scope.for_user(actor).require_role(Role.OFFICE)
    with transaction.atomic(durable=True):
        objection = lock_objection(actor, objection_id)
        OBJECTION_WORKFLOW.check_version(objection, version)
        if objection.status not in (Objection.Status.OPEN, Objection.Status.VERIFIED):
            raise ActionRefused(_("异议已有结论，不能再修改反映对象。"))
        if entry.notice_id != objection.notice_id:
            raise ValidationError(_("反映对象不在本公示中。"))
        objection.entry = entry
        objection.version += 1
        objection.save(update_fields=["entry", "version"])
        _objection_event(objection, actor)
    return objection


def objection_verify(*, actor, objection_id, version, verified_by, verification) -> Objection:
    """Record who checked the objection and what was found."""
    if not clean_text(verified_by) or not clean_text(verification):
        raise ValidationError(_("请填写核实人和核实情况。"))
    with transaction.atomic(durable=True):
        objection = lock_objection(actor, objection_id)
        OBJECTION_WORKFLOW.apply(objection, "objection_verify", actor=actor, version=version)
        objection.verified_by = clean_text(verified_by)[:60]
        objection.verification = clean_text(verification)
        objection.verified_at = timezone.now()
        objection.save(update_fields=["verified_by", "verification", "verified_at"])
    return objection


def objection_conclude(*, actor, objection_id, version, upheld: bool, reason, today=None) -> Objection:
    """The office concludes a verified objection. Not upheld: concluded. Upheld: the office's finding proposes
    the change — the objection awaits the committee's decision (referred) and the person stays 公示中, not
    confirmable, until the committee decides (objection_committee_decide)."""
    reason = clean_text(reason)
    if not reason:
        raise ValidationError(_("请写明结论理由。"))
    with transaction.atomic(durable=True):
        objection = lock_objection(actor, objection_id)
        nomination = objection.locked_nomination
        OBJECTION_WORKFLOW.apply(objection, "objection_uphold" if upheld else "objection_dismiss", actor=actor,
                                 reason=reason, today=today, version=version)
        objection.conclusion_reason = reason
        objection.concluded_by = actor
        objection.concluded_at = timezone.now()
        objection.save(update_fields=["conclusion_reason", "concluded_by", "concluded_at"])
        data = {"receipt": objection.receipt, "upheld": upheld}
        if nomination is not None:
            if upheld:
                apply_transition(nomination, "refer_objection", actor=actor, reason=reason, today=today, data=data)
            else:
                record_event(nomination, action="objection_concluded", actor=actor, from_status=nomination.status,
                             to_status=nomination.status, reason=reason, data=data)
    return objection


def objection_committee_decide(*, actor, objection_id, version, cancel: bool, reason, today=None) -> Objection:
    """The committee's decision (镇党委研究) on an objection the office found true; the office may record it.

    cancel: 取消人选资格 — the nomination is rejected through the workflow with the reason, every other objection
    about the same person awaiting the committee is concluded with it, and the public page marks the person as
    no longer proposed. Otherwise 维持: the objection is concluded without changing the outcome.
    """
    reason = clean_text(reason)
    if not reason:
        raise ValidationError(_("请写明党委研究意见。"))
    action = "objection_cancel" if cancel else "objection_maintain"
    with transaction.atomic(durable=True):
        objection = lock_objection(actor, objection_id)
        nomination = objection.locked_nomination
        OBJECTION_WORKFLOW.apply(objection, action, actor=actor, reason=reason, today=today, version=version)
        concluded = [objection]
        if cancel:
            others = (Objection.objects.select_for_update(of=("self",))
                      .filter(entry_id=objection.entry_id, status=Objection.Status.REFERRED).exclude(pk=objection.pk))
            for other in others:
                other.locked_nomination = nomination
                OBJECTION_WORKFLOW.apply(other, action, actor=actor, reason=reason, today=today)
                concluded.append(other)
        now = timezone.now()
        for each in concluded:
            each.decision_reason, each.decided_by, each.decided_at = reason, actor, now
            each.save(update_fields=["decision_reason", "decided_by", "decided_at"])
        data = {"receipts": [o.receipt for o in concluded], "cancelled": cancel}
        if cancel:
            apply_transition(nomination, "uphold_objection", actor=actor, reason=reason, today=today, data=data)
        else:
            record_event(nomination, action="objection_concluded", actor=actor, from_status=nomination.status,
                         to_status=nomination.status, reason=reason, data=data)
    return objection


# --- entry into the reserve pool --------------------------------------------------------------

def _objection_states(notice) -> frozenset[tuple[int | None, str]]:
    """(entry id or None, status) of every objection of a notice, or about one of its people: one query."""
    return frozenset(Objection.objects.filter(Q(notice=notice) | Q(entry__notice=notice))
                     .values_list("entry_id", "status"))


@contextmanager
def objections_read_once(notice):
    """Inside: guard_confirm reads the notice's objections once for all its people (a page asking for each person
    of the notice), not once a person; the objections as they were on entering."""
    notice._objection_states = _objection_states(notice)
    try:
        yield
    finally:
        del notice._objection_states


def guard_confirm(nomination, actor, today):
    """The rule of confirming a publicised person into the pool (after the notice's period, no objection about
    them open or found true, none of the notice's open unassigned). It reads the nomination's entry with its
    notice (cached on the objects when a page loaded them) and the notice's objections (objections_read_once)."""
    try:
        entry = nomination.notice_entry
    except NoticeEntry.DoesNotExist:
        return _("该人选没有公示记录。")
    notice = entry.notice
    objections = getattr(notice, "_objection_states", None)
    if objections is None:
        objections = _objection_states(notice)
    if (entry.pk, Objection.Status.REFERRED) in objections:
        return _("有反映属实的异议已提请镇党委研究，党委作出决定前不能确认入库。")
    if not notice.ended(today):
        return _("公示期至%(d)s，期满后（%(c)s起）才能确认入库。") % {
            "d": _cn_date(notice.end_date), "c": _cn_date(confirmable_from(notice))}
    if any((entry.pk, status) in objections for status in Objection.OPEN_STATUSES):
        return _("有针对该人选的异议尚未办结。")
    if any((None, status) in objections for status in Objection.OPEN_STATUSES):
        return _("本公示有未指定反映对象的异议尚未办结，请先指定对象或作出结论。")
    if (entry.pk, Objection.Status.UPHELD) in objections:
        return _("有反映属实的异议，不能入库。")
    return None


def confirm_batch(*, actor, notice, today=None) -> tuple[int, list[str]]:
    """Confirm every person of a notice who may be confirmed; report why the others may not."""
    done, refused = 0, []
    for entry in notice.entries.select_related("nomination"):
        if entry.nomination.status != Status.PUBLICISED:
            continue
        try:
            perform(actor=actor, nomination_id=entry.nomination_id, action="confirm_reserve", today=today)
            done += 1
        except ActionRefused as e:
            refused.append(f"{entry.name}：{e.message}")
    return done, refused

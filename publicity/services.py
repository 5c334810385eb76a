"""Writes for publicity: publishing notices, objections, and entry into the reserve pool.

A published notice is a snapshot: its text and the six allowed fields of each person are stored,
its PDF is rendered once at publication and served as a file afterwards.
"""

import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Status
from candidates.selectors import nominations_visible_to
from candidates.services import apply_transition, perform
from reserve import audit
from reserve.choices import Education
from reserve.dates import cn_date as _cn_date
from reserve.exceptions import ActionRefused
from reserve.pdf import render_pdf
from reserve.qr import qr_data_uri
from reserve.roles import Role
from reserve.scope import Scope
from reserve.services import record_event
from reserve.workdays import add_working_days

from .models import Notice, NoticeEntry, Objection
from .workflow import OBJECTION_WORKFLOW, lock_objection


def calendar_note(period) -> str:
    if not period.is_estimate:
        return ""
    years = "、".join(str(y) for y in period.unknown_years)
    return _("系统尚无%(y)s年的国家法定节假日安排，公示期按周一至周五及本镇维护的节假日调整计算，请核对。") % {"y": years}


def notice_body(*, round_, village, period, contact_phone, contact_address) -> str:
    """The standard wording of a 公示 notice (PRACTICE.md)."""
    return _(
        "经镇党委研究，拟确定以下同志为%(village)s村级后备干部人选，现予以公示。\n"
        "公示时间：%(start)s至%(end)s（%(n)d个工作日）。\n"
        "公示期间，如对公示对象有异议，可通过来电、来信、来访或扫描二维码在网上反映等方式向镇党委组织办反映。"
        "反映情况要实事求是，提倡以真实姓名反映。\n"
        "联系电话：%(phone)s；来信来访地址：%(address)s。"
    ) % {
        "village": village.name, "start": _cn_date(period.start), "end": _cn_date(period.end),
        "n": period.working_days, "phone": contact_phone, "address": contact_address,
    }


def _entry_for(nomination, order) -> NoticeEntry:
    person = nomination.person
    edu = nomination.highest_education
    return NoticeEntry(
        nomination=nomination, order=order, name=person.name, gender=person.get_gender_display(),
        birth_month=f"{person.birth_date.year}.{person.birth_date.month:02d}",
        education=Education(edu).label if edu else "",
        political_status=nomination.get_political_status_display(),
        work_unit_post=nomination.work_unit_post,
    )


def render_notice_pdf(notice, *, public_url: str) -> bytes:
    return render_pdf("publicity/notice_pdf.html", {
        "notice": notice, "entries": list(notice.entries.all()), "qr": qr_data_uri(public_url),
        "public_url": public_url,
    })


def notice_publish(*, actor, round_, village, start_date, contact_phone, contact_address, public_url_for,
                   issue_date=None) -> Notice:
    """Publish the notice of one village: every nomination the committee approved, in one transaction.

    public_url_for(notice) gives the absolute public address printed in the PDF's QR code.
    """
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE)
    scope.require(round_, roles={Role.OFFICE})
    scope.require(village, roles={Role.OFFICE})
    if not (contact_phone or "").strip() or not (contact_address or "").strip():
        raise ValidationError(_("请填写接受反映的联系电话和地址。"))
    issue_date = issue_date or timezone.localdate()
    with transaction.atomic():
        nominations = list(
            nominations_visible_to(actor).select_for_update(of=("self",))
            .filter(round=round_, village=village, status=Status.APPROVED)
            .select_related("person", "round", "village").order_by("id")
        )
        if not nominations:
            raise ActionRefused(_("%(v)s没有经党委研究确定、待公示的人选。") % {"v": village.name})
        period = add_working_days(start_date, round_.publicity_days, town=round_.town)
        notice = Notice.objects.create(
            round=round_, village=village,
            title=_("关于%(v)s村级后备干部人选的公示") % {"v": village.name},
            body=notice_body(round_=round_, village=village, period=period, contact_phone=contact_phone,
                             contact_address=contact_address),
            start_date=period.start, end_date=period.end, working_days=period.working_days,
            calendar_note=calendar_note(period),
            issuer=round_.town.party_committee_name or _("中共%(t)s委员会") % {"t": round_.town.name},
            issue_date=issue_date, contact_phone=contact_phone.strip(), contact_address=contact_address.strip(),
            published_by=actor,
        )
        entries = [_entry_for(n, i) for i, n in enumerate(nominations, start=1)]
        for entry in entries:
            entry.notice = notice
        NoticeEntry.objects.bulk_create(entries)
        for nomination in nominations:
            apply_transition(nomination, "publish", actor=actor,
                             data={"notice": notice.pk, "start": f"{period.start}", "end": f"{period.end}"})
        record_event(notice, action="notice_publish", actor=actor,
                     data={"village": village.name, "people": [n.person.name for n in nominations]})
        # Rendered once, here, and stored: the notice never changes, downloads serve this file.
        pdf = render_notice_pdf(notice, public_url=public_url_for(notice))
        notice.pdf.save(f"notice-{notice.pk}-{secrets.token_hex(4)}.pdf", ContentFile(pdf), save=True)
    return notice


def notice_publish_batch(*, actor, round_, villages, **kwargs) -> tuple[list[Notice], list[str]]:
    """Publish one notice per village; a village with nobody to publish is reported, not an error."""
    notices, refused = [], []
    for village in villages:
        try:
            notices.append(notice_publish(actor=actor, round_=round_, village=village, **kwargs))
        except ActionRefused as e:
            refused.append(e.message)
    return notices, refused


# --- objections -------------------------------------------------------------------------------

MAX_CONTENT = 2000


def _receipt() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return timezone.localdate().strftime("YY%Y%m%d-") + "".join(secrets.choice(alphabet) for _i in range(6))


def _clean_objection(content, name, phone):
    content = (content or "").strip()
    if not content:
        raise ValidationError({"content": _("请填写反映的具体内容。")})
    if len(content) > MAX_CONTENT:
        raise ValidationError({"content": _("反映内容不能超过%(n)d字。") % {"n": MAX_CONTENT}})
    return content, (name or "").strip()[:30], (phone or "").strip()[:30]


def objection_lodge_public(*, notice, content, name="", phone="", entry=None) -> Objection:
    """Anyone lodges an objection on the public page (anonymous allowed); returns it with its receipt."""
    content, name, phone = _clean_objection(content, name, phone)
    if entry is not None and entry.notice_id != notice.pk:
        raise ValidationError({"entry": _("反映对象不在本公示中。")})
    now = timezone.now()
    with transaction.atomic():
        objection = Objection.objects.create(
            notice=notice, entry=entry, receipt=_receipt(), channel=Objection.Channel.ONLINE, content=content,
            name=name, phone=phone, received_at=now, is_late=notice.ended(timezone.localdate()),
        )
        _audit_objection(objection, None)
        if entry is not None:
            record_event(entry.nomination, action="objection", actor=None, from_status=entry.nomination.status,
                         to_status=entry.nomination.status,
                         data={"receipt": objection.receipt, "late": objection.is_late})
    return objection


def objection_record(*, actor, notice, channel, content, name="", phone="", entry=None,
                     received_at=None) -> Objection:
    """The office records an objection received by phone, letter or visit."""
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE)
    scope.require(notice, roles={Role.OFFICE})
    if channel not in Objection.Channel.values:
        raise ValidationError({"channel": _("请选择反映方式。")})
    content, name, phone = _clean_objection(content, name, phone)
    if entry is not None and entry.notice_id != notice.pk:
        raise ValidationError({"entry": _("反映对象不在本公示中。")})
    received_at = received_at or timezone.now()
    with transaction.atomic():
        objection = Objection.objects.create(
            notice=notice, entry=entry, receipt=_receipt(), channel=channel, content=content, name=name,
            phone=phone, received_at=received_at,
            is_late=notice.ended(timezone.localtime(received_at).date()), recorded_by=actor,
        )
        _audit_objection(objection, actor)
        if entry is not None:
            record_event(entry.nomination, action="objection", actor=actor, from_status=entry.nomination.status,
                         to_status=entry.nomination.status,
                         data={"receipt": objection.receipt, "late": objection.is_late})
    return objection


def _audit_objection(objection, actor) -> None:
    """The objection in the audit log: who recorded it and about whom; the objector's name and phone only
    as present or not (their values stay in the objection, seen by the office only)."""
    audit.record(audit.AuditEntry.Action.CREATE, user=actor, obj=objection, detail={
        "channel": objection.channel, "notice": str(objection.notice),
        "entry": str(objection.entry) if objection.entry_id else "",
        "name": "有" if objection.name else "无", "phone": "有" if objection.phone else "无",
        "late": objection.is_late,
    })


def objection_assign(*, actor, objection_id, version, entry) -> Objection:
    """Name the person an objection is about, when the objector did not."""
    with transaction.atomic(durable=True):
        objection = lock_objection(actor, objection_id)
        OBJECTION_WORKFLOW.check_version(objection, version)
        if not objection.is_open:
            raise ActionRefused(_("异议已有结论，不能再修改反映对象。"))
        if entry.notice_id != objection.notice_id:
            raise ValidationError(_("反映对象不在本公示中。"))
        objection.entry = entry
        objection.version += 1
        objection.save(update_fields=["entry", "version"])
        record_event(entry.nomination, action="objection", actor=actor, from_status=entry.nomination.status,
                     to_status=entry.nomination.status, data={"receipt": objection.receipt, "late": objection.is_late})
    return objection


def objection_verify(*, actor, objection_id, version, verified_by, verification) -> Objection:
    """Record who checked the objection and what was found."""
    if not (verified_by or "").strip() or not (verification or "").strip():
        raise ValidationError(_("请填写核实人和核实情况。"))
    with transaction.atomic(durable=True):
        objection = lock_objection(actor, objection_id)
        OBJECTION_WORKFLOW.apply(objection, "objection_verify", actor=actor, version=version)
        objection.verified_by = verified_by.strip()[:60]
        objection.verification = verification.strip()
        objection.verified_at = timezone.now()
        objection.save(update_fields=["verified_by", "verification", "verified_at"])
    return objection


def objection_conclude(*, actor, objection_id, version, upheld: bool, reason, today=None) -> Objection:
    """Conclude a verified objection. Upheld: the person is not confirmed (status rejected)."""
    reason = (reason or "").strip()
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
                apply_transition(nomination, "uphold_objection", actor=actor, reason=reason, today=today, data=data)
            else:
                record_event(nomination, action="objection_concluded", actor=actor, from_status=nomination.status,
                             to_status=nomination.status, reason=reason, data=data)
    return objection


# --- entry into the reserve pool --------------------------------------------------------------

def guard_confirm(nomination, actor, today):
    entry = NoticeEntry.objects.filter(nomination=nomination).select_related("notice").first()
    if entry is None:
        return _("该人选没有公示记录。")
    notice = entry.notice
    if not notice.ended(today):
        return _("公示期至%(d)s，期满后才能确认入库。") % {"d": _cn_date(notice.end_date)}
    open_objections = Objection.objects.filter(notice=notice, status__in=(Objection.Status.OPEN,
                                                                          Objection.Status.VERIFIED))
    if open_objections.filter(entry=entry).exists():
        return _("有针对该人选的异议尚未办结。")
    if open_objections.filter(entry__isnull=True).exists():
        return _("本公示有未指定反映对象的异议尚未办结，请先指定对象或作出结论。")
    if Objection.objects.filter(entry=entry, status=Objection.Status.UPHELD).exists():
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

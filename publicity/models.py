"""Publicity (公示): notices, the people on them, and objections."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.models import Nomination, Round
from reserve.choices import DayKind
from reserve.models import Village
from reserve.workdays import days_label


def public_token() -> str:
    return secrets.token_urlsafe(12)


class Notice(models.Model):
    """A published 公示 notice for one village. It does not change once published."""

    class Status(models.TextChoices):
        # Not stored: a notice's status on a day follows from its dates (status_on).
        UPCOMING = "upcoming", _("未开始")
        IN_FORCE = "in_force", _("公示中")
        ENDED = "ended", _("已期满")

    # The badge of each status ({% status_badge %}).
    BADGES = {Status.UPCOMING: "text-bg-info notice-state", Status.IN_FORCE: "text-bg-primary notice-state",
              Status.ENDED: "text-bg-secondary notice-state"}

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="notices", verbose_name=_("批次"))
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="notices",
                                verbose_name=_("村（社区）"))
    token = models.CharField(max_length=32, unique=True, default=public_token, editable=False)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("正文"), max_length=4000)
    start_date = models.DateField(_("公示开始"))
    end_date = models.DateField(_("公示结束"))
    days = models.PositiveSmallIntegerField(_("公示期（天数）"))
    day_kind = models.CharField(_("公示期天数按"), max_length=10, choices=DayKind.choices, default=DayKind.WORKING)
    calendar_note = models.CharField(_("日历说明"), max_length=200, blank=True)
    issuer = models.CharField(_("发布单位"), max_length=80)
    issue_date = models.DateField(_("落款日期"))
    # A paper notice posted before it was entered in the system: the day it was posted (its period runs from
    # that day). Empty: the notice was entered before it was posted.
    posted_on = models.DateField(_("纸质公示张贴日期"), null=True, blank=True)
    entered_on = models.DateField(_("录入系统日期"))
    contact_phone = models.CharField(_("联系电话"), max_length=40)
    contact_address = models.CharField(_("来信来访地址"), max_length=120)
    pdf = models.FileField(_("公示PDF"), upload_to="notices/%Y/", blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("录入人"))
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-issue_date", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("publicity:notice_detail", args=[self.pk])

    def get_public_url(self):
        return reverse("publicity:public_notice", args=[self.token])

    @property
    def entered_by(self):
        """Who entered the notice in the system (and published it there)."""
        return self.published_by

    @property
    def posted_before_entry(self) -> bool:
        """A paper notice posted before it was entered in the system."""
        return self.posted_on is not None

    @property
    def days_label(self) -> str:
        """Its period's length as the notice says it: "5个工作日", "7天"."""
        return days_label(self.days, self.day_kind)

    def in_force(self, today) -> bool:
        return self.start_date <= today <= self.end_date

    def ended(self, today) -> bool:
        return today > self.end_date

    def status_on(self, today) -> str:
        if self.ended(today):
            return self.Status.ENDED
        if self.in_force(today):
            return self.Status.IN_FORCE
        return self.Status.UPCOMING

    @property
    def status(self) -> str:
        """Today's status (read-only: it follows from the dates)."""
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    @property
    def is_in_force(self) -> bool:
        return self.in_force(timezone.localdate())

    @property
    def has_ended(self) -> bool:
        return self.ended(timezone.localdate())


class NoticeEntry(models.Model):
    """One person on a notice, with only the six fields a notice may show (a snapshot)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="entries")
    nomination = models.OneToOneField(Nomination, on_delete=models.PROTECT, related_name="notice_entry")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("姓名"), max_length=30)
    gender = models.CharField(_("性别"), max_length=4)
    birth_month = models.CharField(_("出生年月"), max_length=10)
    education = models.CharField(_("学历"), max_length=30)
    political_status = models.CharField(_("政治面貌"), max_length=20)
    work_unit_post = models.CharField(_("现工作单位及职务"), max_length=100)
    # The day the person stopped being proposed (the committee cancelled the candidacy on an objection, or the
    # nomination was withdrawn): the public page marks them, without saying why, and takes no objection against
    # them. Kept here so that the public page reads nothing but the notice's own rows.
    withdrawn_on = models.DateField(_("不再作为拟确定人选日期"), null=True, blank=True)

    PUBLIC_FIELDS = ("name", "gender", "birth_month", "education", "political_status", "work_unit_post")

    class Meta:
        verbose_name = _("公示对象")
        verbose_name_plural = _("公示对象")
        ordering = ["notice", "order", "id"]

    def __str__(self):
        return self.name


class Objection(models.Model):
    """An objection (异议) to a notice: lodged online, or recorded by the office from a call, letter or visit."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上反映")
        PHONE = "phone", _("来电")
        LETTER = "letter", _("来信")
        VISIT = "visit", _("来访")

    class Status(models.TextChoices):
        OPEN = "open", _("待核实")
        VERIFIED = "verified", _("已核实，待结论")
        # The office found it true: the committee decides whether the person stays proposed.
        REFERRED = "referred", _("反映属实，待党委研究")
        UPHELD = "upheld", _("反映属实，已取消人选资格")
        MAINTAINED = "maintained", _("党委研究维持人选")
        NOT_UPHELD = "not_upheld", _("反映不属实")

    # Not concluded yet: confirmation into the pool waits for these.
    OPEN_STATUSES = (Status.OPEN, Status.VERIFIED, Status.REFERRED)

    # The badge of each status ({% status_badge %}).
    BADGES = {Status.OPEN: "text-bg-danger", Status.VERIFIED: "text-bg-warning", Status.REFERRED: "text-bg-warning",
              Status.UPHELD: "text-bg-dark", Status.MAINTAINED: "text-bg-secondary",
              Status.NOT_UPHELD: "text-bg-success"}

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="objections",
                               verbose_name=_("公示"))
    entry = models.ForeignKey(NoticeEntry, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="objections", verbose_name=_("反映对象"))
    receipt = models.CharField(_("受理编号"), max_length=24, unique=True)
    channel = models.CharField(_("反映方式"), max_length=10, choices=Channel.choices)
    content = models.TextField(_("反映内容"), max_length=2000)
    name = models.CharField(_("反映人姓名"), max_length=30, blank=True)
    phone = models.CharField(_("反映人电话"), max_length=30, blank=True)
    received_at = models.DateTimeField(_("收到时间"))
    is_late = models.BooleanField(_("公示期满后收到"), default=False)
    is_early = models.BooleanField(_("公示开始前收到"), default=False)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("登记人"))
    verified_by = models.CharField(_("核实人"), max_length=60, blank=True)
    verification = models.TextField(_("核实情况"), max_length=4000, blank=True)
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    conclusion_reason = models.TextField(_("结论理由"), max_length=2000, blank=True)
    concluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("结论人"))
    concluded_at = models.DateTimeField(_("结论时间"), null=True, blank=True)
    # The committee's decision on an objection the office found true (status referred).
    decision_reason = models.TextField(_("党委研究意见"), max_length=2000, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("党委决定录入人"))
    decided_at = models.DateTimeField(_("党委决定时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return self.receipt

    def get_absolute_url(self):
        return reverse("publicity:objection_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        """Not concluded yet (awaiting verification, the office's conclusion or the committee's decision)."""
        return self.status in self.OPEN_STATUSES

    @property
    def is_referred(self) -> bool:
        """Found true by the office, awaiting the committee's decision."""
        return self.status == self.Status.REFERRED

    @property
    def is_upheld(self) -> bool:
        return self.status == self.Status.UPHELD

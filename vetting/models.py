"""Joint qualification vetting (资格联审) on the round's negative list (负面清单)."""

import re

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from candidates.models import Nomination, Round
from candidates.models import Status as NominationStatus
from reserve.models import Department

# Placeholders an item's text may use; each is a parameter of the round.
ITEM_PLACEHOLDERS = ("since_year", "probation_years", "expulsion_years", "family_planning_years")
PLACEHOLDER = re.compile(r"\{(" + "|".join(ITEM_PLACEHOLDERS) + r")\}")


class NegativeItem(models.Model):
    """One of the disqualifying conditions (负面清单, village plan §二), with the departments that check it."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="negative_items", verbose_name=_("批次"))
    number = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(
        _("内容"), max_length=500,
        help_text=_("可使用 {since_year}、{probation_years}、{expulsion_years}、{family_planning_years}，"
                    "显示时替换为本批次参数中的年份和年限"),
    )
    departments = models.ManyToManyField(
        Department, related_name="negative_items", blank=True, verbose_name=_("负责审查的部门")
    )
    # Set when the round's list was made: departments of this town suggested (by the table of equivalent
    # names) for a department of the default list the town does not have, until the office confirms them.
    suggested_departments = models.ManyToManyField(
        Department, related_name="+", blank=True, verbose_name=_("建议的审查部门（待确认）")
    )

    class Meta:
        verbose_name = _("负面清单条目")
        verbose_name_plural = _("负面清单条目")
        ordering = ["round", "number"]
        constraints = [models.UniqueConstraint(fields=["round", "number"], name="negative_item_unique_number")]

    def __str__(self):
        return f"（{self.number}）{self.display_text}"

    @property
    def display_text(self) -> str:
        """The text with each known placeholder replaced by the round's value (anything else stays as typed)."""
        r = self.round
        values = {
            "since_year": r.negative_since_year, "probation_years": r.probation_recovery_years,
            "expulsion_years": r.expulsion_years, "family_planning_years": r.family_planning_years,
        }
        return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), self.text)


class VettingRequest(models.Model):
    """What one department is asked to check about one nomination, and its signed answer."""

    class Status(models.TextChoices):
        # pending → answered (the department may still correct it) → locked (the office has acted on
        # it: decided its flag, or the vetting ended); only the office's reopen makes it pending again.
        PENDING = "pending", _("待审查")
        ANSWERED = "answered", _("已答复")
        LOCKED = "locked", _("已锁定")

    class Decision(models.TextChoices):
        NONE = "", _("—")
        CONFIRMED = "confirmed", _("确认不符合")
        OVERRULED = "overruled", _("不予采纳")

    nomination = models.ForeignKey(
        Nomination, on_delete=models.CASCADE, related_name="vetting_requests", verbose_name=_("自荐表")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="vetting_requests", verbose_name=_("部门")
    )
    deadline = models.DateField(_("答复期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    flagged = models.BooleanField(_("有问题"), default=False)
    conclusion = models.TextField(_("审查结论"), max_length=1000, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("签字人"),
    )
    signed_at = models.DateTimeField(_("签字时间"), null=True, blank=True)
    # The office's decision on a flagged answer.
    decision = models.CharField(_("组织办意见"), max_length=10, choices=Decision.choices, blank=True, default="")
    decision_reason = models.TextField(_("意见说明"), max_length=1000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("处理人"),
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    # A late department: the office's reminders (催办), and an answer it entered from the department's paper
    # reply (代为录入: the scan kept, the name of who signed the paper, its date).
    reminder_count = models.PositiveSmallIntegerField(_("催办次数"), default=0)
    last_reminded_at = models.DateTimeField(_("最近催办时间"), null=True, blank=True)
    proxy_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("代为录入人"),
    )
    paper_answer = models.FileField(_("纸质回复扫描件"), upload_to="vetting/paper/%Y/", blank=True)
    paper_signer = models.CharField(_("纸质回复签字人"), max_length=30, blank=True)
    paper_date = models.DateField(_("纸质回复日期"), null=True, blank=True)
    # Bumped on every change; a form carries the version it was drawn from, so a stale form is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("联审请求")
        verbose_name_plural = _("联审请求")
        ordering = ["deadline", "id"]
        constraints = [
            models.UniqueConstraint(fields=["nomination", "department"], name="vetting_request_unique"),
        ]
        indexes = [
            # A department's queue: one tab (a status) by deadline, and each tab's count read from the index
            # (the nomination's id included: only the pending ones are joined to their nomination's status).
            models.Index(fields=["department", "status", "deadline", "id"], include=["nomination"],
                         name="vetting_request_queue"),
            # The office's flags awaiting a decision, oldest answer first: a few hundred in a county.
            models.Index(fields=["signed_at", "id"], include=["nomination"], name="vetting_request_flags",
                         condition=models.Q(status="answered", flagged=True, decision="")),
        ]

    def __str__(self):
        return f"{self.department} · {self.nomination}"

    def get_absolute_url(self):
        return reverse("vetting:request_detail", args=[self.pk])

    def is_overdue(self, today) -> bool:
        return self.status == self.Status.PENDING and today > self.deadline

    @property
    def entered_by_office(self) -> bool:
        """The answer was entered by the office from the department's paper reply (代为录入)."""
        return self.proxy_entered_by_id is not None and self.status != self.Status.PENDING

    @property
    def signer_name(self) -> str:
        """Who signed the answer, by name (a person's full name, never a login; blank when unknown)."""
        if self.entered_by_office:
            return self.paper_signer
        return getattr(self.signed_by, "full_name", "") or ""

    @property
    def answered(self) -> bool:
        """The department has signed an answer (which the office may since have acted on)."""
        return self.status != self.Status.PENDING

    @property
    def no_longer_needed(self) -> bool:
        """Not answered, and the nomination's vetting has ended (it failed on another department's finding, was
        withdrawn …): nothing to do, unless the office reopens the vetting."""
        return self.status == self.Status.PENDING and self.nomination.status != NominationStatus.VETTING

    @property
    def awaiting_decision(self) -> bool:
        """A flag the office has not yet confirmed or overruled, on a nomination still in vetting."""
        return (self.status == self.Status.ANSWERED and self.flagged and not self.decision
                and self.nomination.status == NominationStatus.VETTING)

    @property
    def cleared(self) -> bool:
        """Counts as clear for the nomination: answered and clear, or its flag overruled by the office."""
        return self.answered and (not self.flagged or self.decision == self.Decision.OVERRULED)


class Finding(models.Model):
    class Outcome(models.TextChoices):
        CLEAR = "clear", _("无此情形")
        FLAGGED = "flagged", _("有此情形")

    request = models.ForeignKey(VettingRequest, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(NegativeItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("条目"))
    outcome = models.CharField(_("审查结果"), max_length=10, choices=Outcome.choices)
    note = models.TextField(_("说明"), max_length=1000, blank=True)
    attachment = models.FileField(_("附件"), upload_to="vetting/%Y/", blank=True)

    class Meta:
        verbose_name = _("审查结果")
        verbose_name_plural = _("审查结果")
        ordering = ["item__number"]
        constraints = [models.UniqueConstraint(fields=["request", "item"], name="finding_unique_item")]

    def __str__(self):
        return f"{self.item.number}: {self.get_outcome_display()}"


class VettingSummary(models.Model):
    """What the ledger filters and counts a dispatched nomination by, kept beside its requests so the ledger of a
    county-scale round (7,440 nominations × 12 departments, issue 13) reads one row per nomination, not twelve:
    how many requests are open (not answered), how many answers report a problem, and the earliest deadline of
    the open ones (逾期: before today). Written only by vetting.services.refresh_summary, in the transaction that
    changes the requests; a nomination without requests has none."""

    nomination = models.OneToOneField(Nomination, on_delete=models.CASCADE, related_name="vetting_summary")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    open_count = models.PositiveSmallIntegerField(default=0)
    problem_count = models.PositiveSmallIntegerField(default=0)
    next_deadline = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("联审汇总")
        verbose_name_plural = _("联审汇总")
        indexes = [
            models.Index(fields=["round", "open_count", "next_deadline"], include=["problem_count"],
                         name="vetting_summary_state"),
            # The open requests of a round due before a date (逾期; those to sync to the round's deadline).
            models.Index(fields=["round", "next_deadline"], name="vetting_summary_deadline",
                         condition=models.Q(next_deadline__isnull=False)),
        ]

    def __str__(self):
        return f"{self.nomination_id}: {self.open_count}/{self.problem_count}"

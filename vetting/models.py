"""Joint qualification vetting (资格联审), organisational inspection (组织考察) and the committee's decision."""

import re

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from candidates.models import Nomination
from reserve.models import Department, Round, Village

# Placeholders an item's text may use; each is a parameter of the round.
ITEM_PLACEHOLDERS = ("since_year", "probation_years", "expulsion_years", "family_planning_years")
PLACEHOLDER = re.compile(r"\{(" + "|".join(ITEM_PLACEHOLDERS) + r")\}")


class NegativeItem(models.Model):
    """One of the disqualifying conditions (负面清单, village plan §二), with the departments that check it."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="negative_items", verbose_name=_("批次"))
    number = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(
        _("内容"),
        help_text=_("可使用 {since_year}、{probation_years}、{expulsion_years}、{family_planning_years}，"
                    "显示时替换为本批次参数中的年份和年限"),
    )
    departments = models.ManyToManyField(
        Department, related_name="negative_items", blank=True, verbose_name=_("负责审查的部门")
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
        PENDING = "pending", _("待审查")
        ANSWERED = "answered", _("已答复")

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
    conclusion = models.TextField(_("审查结论"), blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("签字人"),
    )
    signed_at = models.DateTimeField(_("签字时间"), null=True, blank=True)
    # The office's decision on a flagged answer.
    decision = models.CharField(_("组织办意见"), max_length=10, choices=Decision.choices, blank=True, default="")
    decision_reason = models.TextField(_("意见说明"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("处理人"),
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    # Set once the office has acted on the answer (decided its flag, or the vetting ended); only the
    # office's reopen clears it, for this request alone.
    locked = models.BooleanField(_("已锁定"), default=False)
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

    def __str__(self):
        return f"{self.department} · {self.nomination}"

    def get_absolute_url(self):
        return reverse("vetting:request_detail", args=[self.pk])

    def is_overdue(self, today) -> bool:
        return self.status == self.Status.PENDING and today > self.deadline

    @property
    def awaiting_decision(self) -> bool:
        """A flag the office has not yet confirmed or overruled, on a nomination still in vetting."""
        return (self.status == self.Status.ANSWERED and self.flagged and not self.decision
                and self.nomination.status == "vetting")

    @property
    def cleared(self) -> bool:
        """Counts as clear for the nomination: answered and clear, or its flag overruled by the office."""
        return self.status == self.Status.ANSWERED and (not self.flagged or self.decision == self.Decision.OVERRULED)


class Finding(models.Model):
    class Outcome(models.TextChoices):
        CLEAR = "clear", _("无此情形")
        FLAGGED = "flagged", _("有此情形")

    request = models.ForeignKey(VettingRequest, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(NegativeItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("条目"))
    outcome = models.CharField(_("审查结果"), max_length=10, choices=Outcome.choices)
    note = models.TextField(_("说明"), blank=True)
    attachment = models.FileField(_("附件"), upload_to="vetting/%Y/", blank=True)

    class Meta:
        verbose_name = _("审查结果")
        verbose_name_plural = _("审查结果")
        ordering = ["item__number"]
        constraints = [models.UniqueConstraint(fields=["request", "item"], name="finding_unique_item")]


class TalkCategory(models.TextChoices):
    COMMITTEE = "committee", _("两委成员")
    FORMER_CADRE = "former_cadre", _("退职村干部")
    PARTY_REP = "party_rep", _("党员代表")
    MASSES_REP = "masses_rep", _("群众代表")


class Talk(models.Model):
    """An individual talk (个别谈话) about a nomination during the inspection."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="talks")
    date = models.DateField(_("谈话时间"))
    place = models.CharField(_("谈话地点"), max_length=80)
    talkers = models.CharField(_("谈话人"), max_length=100)
    interviewee = models.CharField(_("谈话对象"), max_length=30)
    category = models.CharField(_("谈话对象类别"), max_length=20, choices=TalkCategory.choices)
    content = models.TextField(_("谈话内容"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("个别谈话")
        verbose_name_plural = _("个别谈话")
        ordering = ["date", "id"]


class VoterCategory(models.TextChoices):
    PARTY_MEMBER = "party_member", _("党员")
    VILLAGER_REP = "villager_rep", _("村民代表")
    COMMITTEE = "committee", _("两委成员")


def default_appraisal_options():
    return ["优秀", "称职", "基本称职", "不称职"]


QUALITIES = ("讲政治", "守规矩", "重品行", "有本事", "敢担当")


class AppraisalSession(models.Model):
    """A democratic appraisal (民主测评) held in one village for the nominations under inspection."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="appraisal_sessions")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="appraisal_sessions",
                                verbose_name=_("村（社区）"))
    date = models.DateField(_("测评时间"))
    place = models.CharField(_("测评地点"), max_length=80)
    options = models.JSONField(_("评价选项"), default=default_appraisal_options,
                               help_text=_("按从好到差排列；前两项计入“优秀+称职”"))
    pass_options = models.PositiveSmallIntegerField(_("计入通过票的选项数"), default=2)
    entitled_party_member = models.PositiveIntegerField(_("应参加党员人数"), default=0)
    entitled_villager_rep = models.PositiveIntegerField(_("应参加村民代表人数"), default=0)
    entitled_committee = models.PositiveIntegerField(_("应参加两委成员人数"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("民主测评")
        verbose_name_plural = _("民主测评")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.village} {self.date:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("vetting:session_detail", args=[self.pk])

    def entitled(self, category: str) -> int:
        return getattr(self, f"entitled_{category}")


class Tally(models.Model):
    """Ballots for one nomination from one voter category in a session."""

    session = models.ForeignKey(AppraisalSession, on_delete=models.CASCADE, related_name="tallies")
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="tallies")
    category = models.CharField(_("投票人类别"), max_length=20, choices=VoterCategory.choices)
    issued = models.PositiveIntegerField(_("发出票数"))
    returned = models.PositiveIntegerField(_("收回票数"))
    valid = models.PositiveIntegerField(_("有效票数"))
    counts = models.JSONField(_("各选项票数"), default=list)  # in the order of session.options
    qualities = models.JSONField(_("五个方面评价"), default=dict, blank=True)  # quality -> counts by option

    class Meta:
        verbose_name = _("测评计票")
        verbose_name_plural = _("测评计票")
        constraints = [
            models.UniqueConstraint(fields=["session", "nomination", "category"], name="tally_unique_category"),
            models.CheckConstraint(condition=models.Q(returned__lte=models.F("issued")), name="tally_returned_le_issued"),
            models.CheckConstraint(condition=models.Q(valid__lte=models.F("returned")), name="tally_valid_le_returned"),
        ]


class InspectionReport(models.Model):
    """考察材料: drafted from the data, edited by the office."""

    nomination = models.OneToOneField(Nomination, on_delete=models.CASCADE, related_name="inspection_report")
    text = models.TextField(_("考察材料"))
    inspectors = models.CharField(_("考察人"), max_length=100, blank=True)
    report_date = models.DateField(_("日期"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("考察材料")
        verbose_name_plural = _("考察材料")


class CommitteeMeeting(models.Model):
    """镇党委会议: the meeting that decides on the proposed nominations."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="committee_meetings")
    date = models.DateField(_("会议日期"))
    attendees = models.TextField(_("参会人员"))
    minutes_ref = models.CharField(_("会议记录编号"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("党委会议")
        verbose_name_plural = _("党委会议")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("vetting:meeting_detail", args=[self.pk])


class CommitteeDecision(models.Model):
    class Outcome(models.TextChoices):
        APPROVE = "approve", _("同意")
        REJECT = "reject", _("不同意")

    meeting = models.ForeignKey(CommitteeMeeting, on_delete=models.CASCADE, related_name="decisions")
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="committee_decisions")
    outcome = models.CharField(_("研究结果"), max_length=10, choices=Outcome.choices)
    reason = models.TextField(_("理由"), blank=True)

    class Meta:
        verbose_name = _("党委研究结果")
        verbose_name_plural = _("党委研究结果")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "nomination"], name="decision_unique_per_meeting"),
        ]

"""Organisational inspection (组织考察: individual talks, democratic appraisal, 考察材料) and the town
party committee's decision (镇党委研究确定)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from candidates.models import Nomination, Round
from reserve.choices import TalkCategory, VoterCategory
from reserve.models import Village


class Talk(models.Model):
    """An individual talk (个别谈话) about a nomination during the inspection."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="talks")
    date = models.DateField(_("谈话时间"))
    place = models.CharField(_("谈话地点"), max_length=80)
    talkers = models.CharField(_("谈话人"), max_length=100)
    interviewee = models.CharField(_("谈话对象"), max_length=30)
    category = models.CharField(_("谈话对象类别"), max_length=20, choices=TalkCategory.choices)
    content = models.TextField(_("谈话内容"), max_length=5000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("个别谈话")
        verbose_name_plural = _("个别谈话")
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.interviewee}"


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
    # A second session for a village of a round (e.g. after a failed one) is held only for a reason the
    # office records; every session stays on the record.
    repeat_reason = models.TextField(_("再次测评理由"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("民主测评")
        verbose_name_plural = _("民主测评")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.village} {self.date:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("inspection:session_detail", args=[self.pk])

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

    def __str__(self):
        return f"{self.session} · {self.get_category_display()}"


# The longest 考察材料 (the practice notes' report runs to a few thousand characters; its draft quotes the 自荐表's
# statement, at most candidates.models.STATEMENT_MAX).
REPORT_MAX = 10000


class InspectionReport(models.Model):
    """考察材料: drafted from the data, edited by the office."""

    nomination = models.OneToOneField(Nomination, on_delete=models.CASCADE, related_name="inspection_report")
    text = models.TextField(_("考察材料"), max_length=REPORT_MAX)
    inspectors = models.CharField(_("考察人"), max_length=100, blank=True)
    report_date = models.DateField(_("日期"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("考察材料")
        verbose_name_plural = _("考察材料")

    def __str__(self):
        return f"{self.nomination} 考察材料"


class CommitteeMeeting(models.Model):
    """镇党委会议: the meeting that decides on the proposed nominations."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="committee_meetings")
    date = models.DateField(_("会议日期"))
    # Attendance: the committee members present by name, how many the committee has (应到) and how many
    # were present (实到); a decision is recorded only when 实到/应到 reaches the round's quorum.
    attendees = models.TextField(_("出席委员"), max_length=1000)
    members_total = models.PositiveSmallIntegerField(_("应到委员人数"), null=True)
    members_present = models.PositiveSmallIntegerField(_("实到委员人数"), null=True)
    minutes_ref = models.CharField(_("会议记录编号"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("党委会议")
        verbose_name_plural = _("党委会议")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(members_present__lte=models.F("members_total")),
                                   name="meeting_present_le_total"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("inspection:meeting_detail", args=[self.pk])


class CommitteeDecision(models.Model):
    class Outcome(models.TextChoices):
        APPROVE = "approve", _("同意")
        REJECT = "reject", _("不同意")

    meeting = models.ForeignKey(CommitteeMeeting, on_delete=models.CASCADE, related_name="decisions")
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="committee_decisions")
    outcome = models.CharField(_("研究结果"), max_length=10, choices=Outcome.choices)
    reason = models.TextField(_("理由"), max_length=500, blank=True)
    # Approving beyond the village's remaining places: the committee's reason, and the numbers it was warned of.
    quota_reason = models.TextField(_("超出名额的理由"), max_length=500, blank=True)
    quota_numbers = models.JSONField(_("名额情况"), default=dict, blank=True)

    class Meta:
        verbose_name = _("党委研究结果")
        verbose_name_plural = _("党委研究结果")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "nomination"], name="decision_unique_per_meeting"),
        ]

    def __str__(self):
        return f"{self.meeting} · {self.get_outcome_display()}"

    @property
    def date(self):
        """A decision is dated by its meeting."""
        return self.meeting.date

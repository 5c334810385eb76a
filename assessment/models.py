"""Assessment and adjustment of the pool (考核激励, 动态调整; four-tier plan §五(一)(二), village plan §四.4).

- `Scheme`: a town's assessment parameters — the scored items and their weights (德20 能15 勤15 绩30 廉20 by
  default, summing to 100), the grade bands, the veto reasons, the top share per tier (前xx%), the bottom share
  that is warned, and the shares of the optional sub-scores (mentor, unit, democratic evaluation) in the total.
- `AssessmentRound`: an annual assessment (年度考核) of a year, or the end-of-term assessment (期满总结性考核), of a
  town's pool term. It copies the scheme when it is opened, so a later change of the scheme never rewrites a
  round already held. open → confirmed (the office confirms the round: ranks are fixed, the top share is flagged
  优先使用/优先推荐, the lagging are warned and the twice-lagging, vetoed and failed are proposed for removal).
- `Assessment`: one reserve in one round: item scores, sub-scores, total, grade, veto, rank.
  draft → submitted → confirmed (locked); a submitted one may be returned to draft.
- `Adjustment`: a proposal to remove a reserve from the pool (调整出库), flagged by an assessment or raised by the
  office; the office proposes it with a reason, the committee approves (the reserve is removed) or rejects it.
- `Vacancy`: a vacancy of a village's 两委 (职数空缺), to be filled first from the village's reserves (§四.4).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reserve.models import Town, Village
from training.models import TEXT_MAX, PoolTerm, Reserve, Tier


class Grade(models.TextChoices):
    """The grades of an assessment (PRACTICE.md: village cadres' annual grades), best first."""

    EXCELLENT = "excellent", _("优秀")
    COMPETENT = "competent", _("称职")
    BASIC = "basic", _("基本称职")
    INCOMPETENT = "incompetent", _("不称职")


# The defaults of a new town's scheme (PRACTICE.md "Reserve management").
DEFAULT_ITEMS = [
    {"key": "de", "name": "德", "weight": 20},
    {"key": "neng", "name": "能", "weight": 15},
    {"key": "qin", "name": "勤", "weight": 15},
    {"key": "ji", "name": "绩", "weight": 30},
    {"key": "lian", "name": "廉", "weight": 20},
]
# The lowest total of each grade but the last, best first (a total below the last is 不称职).
DEFAULT_BANDS = [
    {"grade": Grade.EXCELLENT.value, "min": 90},
    {"grade": Grade.COMPETENT.value, "min": 75},
    {"grade": Grade.BASIC.value, "min": 60},
]
DEFAULT_VETO_REASONS = ["违纪违法", "重大责任事故", "造成恶劣影响", "弄虚作假", "违反计划生育等政策规定"]
# 前xx% per kind of reserve (Tier value as a string → percent).
DEFAULT_TOP_PERCENT = {str(t.value): 20 for t in Tier}
DEFAULT_BOTTOM_PERCENT = 10
# The shares of the sub-scores in the total (percent; 0: shown for reference only).
DEFAULT_SUB_SHARES = {"mentor": 0, "unit": 0, "democratic": 0}


def _items():
    return [dict(item) for item in DEFAULT_ITEMS]


def _bands():
    return [dict(band) for band in DEFAULT_BANDS]


def _vetoes():
    return list(DEFAULT_VETO_REASONS)


def _top():
    return dict(DEFAULT_TOP_PERCENT)


def _subs():
    return dict(DEFAULT_SUB_SHARES)


class Scheme(models.Model):
    """A town's assessment parameters (every x of the plan that the town sets)."""

    town = models.OneToOneField(Town, on_delete=models.CASCADE, related_name="assessment_scheme",
                                verbose_name=_("镇"))
    items = models.JSONField(_("考核项目及权重"), default=_items)
    bands = models.JSONField(_("等次分数线"), default=_bands)
    veto_reasons = models.JSONField(_("一票否决情形"), default=_vetoes)
    top_percent = models.JSONField(_("各梯队优先使用比例（%）"), default=_top)
    bottom_percent = models.PositiveSmallIntegerField(_("排名靠后比例（%）"), default=DEFAULT_BOTTOM_PERCENT)
    sub_shares = models.JSONField(_("评分来源占比（%）"), default=_subs)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("修改人"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("考核办法")
        verbose_name_plural = _("考核办法")

    def __str__(self):
        return str(self.town)


class AssessmentRound(models.Model):
    """年度考核 or 期满总结性考核 of a town's pool term, with the scheme as it was when it was opened."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("年度考核")
        FINAL = "final", _("期满总结性考核")

    class Status(models.TextChoices):
        OPEN = "open", _("考核中")
        CONFIRMED = "confirmed", _("已确认")

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="assessment_rounds", verbose_name=_("镇"))
    term = models.ForeignKey(PoolTerm, on_delete=models.PROTECT, related_name="assessment_rounds",
                             verbose_name=_("人才库届期"))
    kind = models.CharField(_("考核类型"), max_length=10, choices=Kind.choices, default=Kind.ANNUAL)
    year = models.PositiveSmallIntegerField(_("考核年度"))
    title = models.CharField(_("名称"), max_length=60)
    opened_on = models.DateField(_("开始日期"))
    confirmed_on = models.DateField(_("确认日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    version = models.PositiveIntegerField(default=0)
    # The scheme as it was when the round was opened (Scheme's fields, copied).
    items = models.JSONField(_("考核项目及权重"))
    bands = models.JSONField(_("等次分数线"))
    veto_reasons = models.JSONField(_("一票否决情形"))
    top_percent = models.JSONField(_("各梯队优先使用比例（%）"))
    bottom_percent = models.PositiveSmallIntegerField(_("排名靠后比例（%）"))
    sub_shares = models.JSONField(_("评分来源占比（%）"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("发起人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("考核")
        verbose_name_plural = _("考核")
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["town", "term", "kind", "year"], name="assessment_round_unique"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("assessment:round_detail", args=[self.pk])


class Assessment(models.Model):
    """One reserve assessed in one round."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("填写中")
        SUBMITTED = "submitted", _("已提交")
        CONFIRMED = "confirmed", _("已确认")

    round = models.ForeignKey(AssessmentRound, on_delete=models.PROTECT, related_name="assessments",
                              verbose_name=_("考核"))
    reserve = models.ForeignKey(Reserve, on_delete=models.PROTECT, related_name="assessments",
                                verbose_name=_("后备干部"))
    # Copied from the round and the reserve when the assessment is made: the database refuses a second
    # assessment of the same reserve, kind and year, and the ranking reads the tier the reserve was assessed in.
    kind = models.CharField(_("考核类型"), max_length=10, choices=AssessmentRound.Kind.choices)
    year = models.PositiveSmallIntegerField(_("考核年度"))
    tier = models.PositiveSmallIntegerField(_("类别"), choices=Tier.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=0)
    # {item key: "18.5"} — each item scored from 0 to its weight.
    scores = models.JSONField(_("分项得分"), default=dict, blank=True)
    mentor_score = models.DecimalField(_("引路人评分"), max_digits=5, decimal_places=1, null=True, blank=True)
    unit_score = models.DecimalField(_("所在单位评分"), max_digits=5, decimal_places=1, null=True, blank=True)
    democratic_score = models.DecimalField(_("民主评议得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    total = models.DecimalField(_("总分"), max_digits=5, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("等次"), max_length=12, choices=Grade.choices, blank=True)
    comment = models.TextField(_("考核评语"), max_length=TEXT_MAX, blank=True)
    # 一票否决: one of the round's veto reasons, a note, who approved it and when.
    veto_reason = models.CharField(_("一票否决情形"), max_length=60, blank=True)
    veto_note = models.TextField(_("否决说明"), max_length=TEXT_MAX, blank=True)
    veto_approver = models.CharField(_("否决批准人"), max_length=60, blank=True)
    veto_on = models.DateField(_("否决日期"), null=True, blank=True)
    # Fixed when the round is confirmed.
    rank = models.PositiveIntegerField(_("梯队内排名"), null=True, blank=True)
    ranked_of = models.PositiveIntegerField(_("梯队参与排名人数"), null=True, blank=True)
    priority = models.BooleanField(_("优先使用（推荐）"), default=False)
    lagging = models.BooleanField(_("考核靠后"), default=False)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("填写人"))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("确认人"))
    confirmed_on = models.DateField(_("确认日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        ordering = ["round", "tier", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["reserve", "kind", "year"], name="assessment_one_per_reserve_kind_year"),
        ]
        indexes = [models.Index(fields=["round", "tier", "status"])]

    def __str__(self):
        return f"{self.reserve.name} {self.round}"

    @property
    def vetoed(self) -> bool:
        return bool(self.veto_reason)


class Adjustment(models.Model):
    """调整出库 proposed for a reserve: flagged by an assessment (or raised by the office), proposed by the
    office with a reason, decided by the committee."""

    class Cause(models.TextChoices):
        VETO = "veto", _("一票否决")
        LAGGING_TWICE = "lagging", _("年度考核靠后，一年之后仍达不到要求")
        FAILED_FINAL = "failed_final", _("期满总结考核不合格")
        OTHER = "other", _("不再符合后备干部条件")

    class Status(models.TextChoices):
        FLAGGED = "flagged", _("待组织办提出意见")
        PROPOSED = "proposed", _("待党委审批")
        APPROVED = "approved", _("已批准出库")
        REJECTED = "rejected", _("不予出库")
        WITHDRAWN = "withdrawn", _("已撤回")

    reserve = models.ForeignKey(Reserve, on_delete=models.PROTECT, related_name="adjustments",
                                verbose_name=_("后备干部"))
    cause = models.CharField(_("调整原因"), max_length=14, choices=Cause.choices)
    assessment = models.ForeignKey(Assessment, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="adjustments", verbose_name=_("依据的考核结果"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.FLAGGED)
    version = models.PositiveIntegerField(default=0)
    flagged_on = models.DateField(_("提出日期"))
    reason = models.TextField(_("调整理由"), max_length=TEXT_MAX, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("提出人"))
    proposed_on = models.DateField(_("报党委日期"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("审批人"))
    decided_on = models.DateField(_("审批日期"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), max_length=TEXT_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("调整出库")
        verbose_name_plural = _("调整出库")
        ordering = ["-flagged_on", "-id"]
        constraints = [
            # One open proposal per reserve at a time.
            models.UniqueConstraint(fields=["reserve"], condition=Q(status__in=["flagged", "proposed"]),
                                    name="adjustment_one_open_per_reserve"),
        ]

    def __str__(self):
        return f"{self.reserve.name} {self.get_cause_display()}"


class Vacancy(models.Model):
    """A vacancy of a village's 两委 (职数空缺): filled first from the village's reserves (village plan §四.4)."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="vacancies",
                                verbose_name=_("村（社区）"))
    post = models.CharField(_("空缺职务"), max_length=50)
    arose_on = models.DateField(_("出现空缺日期"))
    reason = models.CharField(_("空缺原因"), max_length=200, blank=True)
    filled_on = models.DateField(_("补齐日期"), null=True, blank=True)
    filled_by = models.ForeignKey(Reserve, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("推选的后备干部"))
    filled_note = models.CharField(_("补齐说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("两委职数空缺")
        verbose_name_plural = _("两委职数空缺")
        ordering = ["filled_on", "-arose_on", "-id"]

    def __str__(self):
        return f"{self.village} {self.post}"

"""The reserve pool (后备干部库): its terms and parameters per town, the reserves, how each entered, their
mentors, and the follow-up of those appointed.

Village reserve cadres (村级后备干部, chosen by the village plan's selection rounds) are their own kind
beside the four tiers of the talent plan: see `Tier` and the README ("后备干部库").
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from candidates.models import Nomination, Person, Round
from reserve.choices import Education, PoliticalStatus
from reserve.models import Town, Unit, Village

TEXT_MAX = 1000  # characters of a free-text note (reason, content, follow-up …)


class Tier(models.IntegerChoices):
    """The four tiers of the town's talent plan (四级梯队, §三(一)) and the village plan's reserves.

    Village reserve cadres are kept apart from tier 3: tier 3 is the town's short list of successors to the
    village and community party secretaries and directors (a town-wide target of xx people, chosen by the
    committee among those with 村、社区干部任职经历 or project experience), while a village reserve is one of
    x places per village for any 两委 post, chosen by a selection round with its own conditions, quota and
    公示. A village reserve may later be put in tier 3 by the committee (a tier change, kept in the history).
    """

    FIRST = 1, _("第一梯队（科级后备干部）")
    SECOND = 2, _("第二梯队（机关中层后备干部）")
    THIRD = 3, _("第三梯队（村、社区书记后备干部）")
    FOURTH = 4, _("第四梯队（专业技术人才、行业带头人、致富能手）")
    VILLAGE = 5, _("村级后备干部")


TIER_SHORT = {
    Tier.FIRST: _("第一梯队"), Tier.SECOND: _("第二梯队"), Tier.THIRD: _("第三梯队"), Tier.FOURTH: _("第四梯队"),
    Tier.VILLAGE: _("村级后备干部"),
}

# The tiers whose reserves the committee decides (镇党委会研究确定) and whose mentor is a member of the town's
# leadership team (班子成员); tier 4 is recommended by a unit and reviewed by the office (镇党建办审核).
COMMITTEE_TIERS = (Tier.FIRST, Tier.SECOND, Tier.THIRD)


class PoolTerm(models.Model):
    """One term of a town's talent plan (人才库届期): the plan's start (从20xx年x月开始) and period (用x-x年), the
    target count per tier, and every parameter of the pool's management. The plan's "x" are fields here with the
    plan's or common practice's defaults (../shared/policy/PRACTICE.md)."""

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="pool_terms", verbose_name=_("镇"))
    name = models.CharField(_("名称"), max_length=60, help_text=_("如：2026—2028年度后备干部人才库"))
    start = models.DateField(_("开始年月"), help_text=_("方案“从20xx年x月开始”，取该月1日"))
    period_years_min = models.PositiveSmallIntegerField(_("计划用时（年，起）"), default=3)
    period_years_max = models.PositiveSmallIntegerField(_("计划用时（年，止）"), default=5)
    # Targets per tier (§三(一)): 5 / xx / xx / xxx.
    target_tier1 = models.PositiveSmallIntegerField(_("第一梯队目标人数"), default=5)
    target_tier2 = models.PositiveSmallIntegerField(_("第二梯队目标人数"), default=20)
    target_tier3 = models.PositiveSmallIntegerField(_("第三梯队目标人数"), default=30)
    target_tier4 = models.PositiveSmallIntegerField(_("第四梯队目标人数"), default=100)
    # Conditions per tier (§三(二)2): age limits, years in a post, the project amount of tier 3.
    age_limit_tier1 = models.PositiveSmallIntegerField(_("第一梯队年龄上限（周岁）"), default=35)
    age_limit_tier2 = models.PositiveSmallIntegerField(_("第二梯队年龄上限（周岁）"), default=35)
    age_limit_tier3 = models.PositiveSmallIntegerField(_("第三梯队年龄上限（周岁）"), default=40)
    age_limit_tier4 = models.PositiveSmallIntegerField(_("第四梯队年龄上限（周岁）"), default=45)
    tier1_middle_post_years = models.PositiveSmallIntegerField(_("第一梯队中层任职年限"), default=2)
    tier2_organ_work_years = models.PositiveSmallIntegerField(_("第二梯队机关工作年限"), default=2)
    tier3_project_amount = models.PositiveIntegerField(_("第三梯队项目管理金额（万元）"), default=100)
    # Management (§五).
    term_years = models.PositiveSmallIntegerField(_("每届年限"), default=2, help_text=_("两年一届，滚动管理"))
    renewal_notice_days = models.PositiveSmallIntegerField(
        _("届满提醒天数"), default=60, help_text=_("届满前多少天列入“即将届满”"))
    talks_per_year = models.PositiveSmallIntegerField(_("每年谈心谈话不少于（次）"), default=2)
    due_talk_working_days = models.PositiveSmallIntegerField(
        _("“四必谈”期限（工作日）"), default=15, help_text=_("岗位调整、提拔使用、考核后须在多少个工作日内谈话"))
    mentor_within_days = models.PositiveSmallIntegerField(_("入库后明确引路人期限（天）"), default=30)
    rotation_subsidy_per_day = models.DecimalField(
        _("上派轮训补贴（元/工作日）"), max_digits=6, decimal_places=2, default=20,
        help_text=_("派出单位按工作日补贴；镇政府保障工作用餐"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("人才库届期")
        verbose_name_plural = _("人才库届期")
        ordering = ["town", "-start", "-id"]

    def __str__(self):
        return self.name

    def target_of(self, tier) -> int | None:
        return getattr(self, f"target_tier{int(tier)}", None)

    def age_limit_of(self, tier) -> int | None:
        return getattr(self, f"age_limit_tier{int(tier)}", None)


class PoolMeeting(models.Model):
    """A meeting of the town committee (镇党委会) that decided who enters tiers 1–3 or names their mentors,
    recorded as the selection's committee meetings are."""

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="pool_meetings", verbose_name=_("镇"))
    date = models.DateField(_("会议日期"))
    attendees = models.TextField(_("出席委员"), max_length=TEXT_MAX)
    minutes_ref = models.CharField(_("会议记录编号"), max_length=60, blank=True)
    note = models.TextField(_("研究事项"), max_length=TEXT_MAX, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("党委会研究（人才库）")
        verbose_name_plural = _("党委会研究（人才库）")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d}"


class Reserve(models.Model):
    """A person in the reserve pool: kind (tier), unit, the current two-year term, mentor, status, and the facts
    the tier's conditions are read from."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("推荐待审核")
        ACTIVE = "active", _("培养中")
        USED = "used", _("已任用")
        REMOVED = "removed", _("已调整出库")
        EXPIRED = "expired", _("培养期满")
        DECLINED = "declined", _("未通过审核")

    class Source(models.TextChoices):
        SELECTION = "selection", _("村级后备干部选拔")
        COMMITTEE = "committee", _("镇党委会研究确定")
        RECOMMENDED = "recommended", _("单位推荐、党建办审核")
        ADDED = "added", _("优秀人才立即补进")
        RECRUITED = "recruited", _("引进人才")

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="reserves", verbose_name=_("镇"))
    term = models.ForeignKey(PoolTerm, on_delete=models.PROTECT, related_name="reserves",
                             verbose_name=_("人才库届期"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="reserve_records",
                               verbose_name=_("人员"))
    name = models.CharField(_("姓名"), max_length=30, help_text=_("入库时的姓名"))
    tier = models.PositiveSmallIntegerField(_("类别"), choices=Tier.choices, default=Tier.VILLAGE)
    # A reserve belongs to a village or community, or to another unit: exactly one of the two.
    village = models.ForeignKey(Village, null=True, blank=True, on_delete=models.PROTECT, related_name="reserves",
                                verbose_name=_("村（社区）"))
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="reserves",
                             verbose_name=_("单位"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    version = models.PositiveIntegerField(default=0)
    # How the person entered.
    source = models.CharField(_("入库方式"), max_length=12, choices=Source.choices, default=Source.SELECTION)
    nomination = models.OneToOneField(Nomination, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="reserve", verbose_name=_("来源自荐表"))
    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.PROTECT, related_name="reserves",
                              verbose_name=_("选拔批次"))
    meeting = models.ForeignKey(PoolMeeting, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="reserves", verbose_name=_("党委会研究"))
    recommended_by = models.CharField(_("推荐组织"), max_length=60, blank=True,
                                      help_text=_("第四梯队：推荐的办公室、中心或村（社区）党组织"))
    entry_note = models.TextField(_("入库说明"), max_length=TEXT_MAX, blank=True)
    # The facts the tier's conditions are read from (training.tiers).
    gender = models.CharField(_("性别"), max_length=1, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    political_status = models.CharField(_("政治面貌"), max_length=20, choices=PoliticalStatus.choices, blank=True)
    party_join_date = models.DateField(_("入党时间"), null=True, blank=True)
    fulltime_education = models.PositiveSmallIntegerField(_("全日制学历"), choices=Education.choices, null=True,
                                                          blank=True)
    education = models.PositiveSmallIntegerField(_("最高学历"), choices=Education.choices, null=True, blank=True)
    post = models.CharField(_("现工作单位及职务"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    civil_servant = models.BooleanField(_("公务员身份"), default=False)
    middle_post_since = models.DateField(_("任中层职务时间"), null=True, blank=True)
    organ_work_since = models.DateField(_("参加机关工作时间"), null=True, blank=True)
    village_cadre_since = models.DateField(_("任村（社区）干部时间"), null=True, blank=True)
    project_amount = models.PositiveIntegerField(_("管理项目金额（万元）"), null=True, blank=True)
    field_experience = models.TextField(_("技术、行业经验"), max_length=TEXT_MAX, blank=True)
    speciality = models.CharField(_("专长"), max_length=100, blank=True)
    # The plan's relaxation (特别优秀的，可适当放宽年龄和学历要求): reason and approver.
    relaxation_reason = models.TextField(_("放宽条件理由"), max_length=TEXT_MAX, blank=True)
    relaxation_approved_by = models.CharField(_("批准人"), max_length=60, blank=True)
    relaxation_approved_on = models.DateField(_("批准日期"), null=True, blank=True)
    meets_conditions = models.BooleanField(_("符合梯队条件"), default=False)
    # The day of the latest tier change (None: the tier the reserve entered with): the tier's conditions are read on
    # this day, or on the entry day.
    tier_since = models.DateField(_("调整梯队日期"), null=True, blank=True)
    # The current two-year term (两年一届).
    start_date = models.DateField(_("入库日期"))
    term_start = models.DateField(_("本届起"))
    term_end = models.DateField(_("本届止"))
    term_number = models.PositiveSmallIntegerField(_("第几届"), default=1)
    # The current mentor (引路人 / 结对帮扶); the pairing's history is Mentorship.
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="mentored_reserves", verbose_name=_("引路人"))
    # The day of the latest 谈心谈话 (kept by cultivation when a talk is recorded), for the pool list.
    last_talk_on = models.DateField(_("最近谈话日期"), null=True, blank=True)
    # Appointed (任用): the post and date.
    used_post = models.CharField(_("任用职务"), max_length=100, blank=True)
    used_on = models.DateField(_("任用日期"), null=True, blank=True)
    ended_on = models.DateField(_("出库日期"), null=True, blank=True)
    # Village plan §四.4: a non-party reserve recommended as 入党积极分子.
    activist_recommended_on = models.DateField(_("推荐为入党积极分子日期"), null=True, blank=True)
    activist_note = models.CharField(_("推荐说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("后备干部")
        verbose_name_plural = _("后备干部")
        ordering = ["tier", "start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(village__isnull=False, unit__isnull=True) | Q(village__isnull=True, unit__isnull=False)),
                name="reserve_village_or_unit"),
        ]
        indexes = [
            models.Index(fields=["town", "status", "tier"]),
            models.Index(fields=["town", "term_end"]),
        ]

    def __str__(self):
        return f"{self.name}（{self.unit_name}）"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("training:reserve_detail", args=[self.pk])

    @property
    def unit_name(self) -> str:
        return (self.village or self.unit).name if (self.village_id or self.unit_id) else ""

    def renewal_due(self, today: datetime.date) -> bool:
        """待续期: active and past the end of its term, until the office renews it or lets it expire."""
        return self.status == self.Status.ACTIVE and self.term_end < today


class Mentorship(models.Model):
    """One pairing of a reserve with a mentor (引路人 / 结对帮扶), from its start to its end (None: current)."""

    reserve = models.ForeignKey(Reserve, on_delete=models.CASCADE, related_name="mentorships",
                                verbose_name=_("后备干部"))
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentorships",
                               verbose_name=_("引路人"))
    start = models.DateField(_("结对日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True)
    basis = models.CharField(_("依据"), max_length=200, blank=True,
                             help_text=_("如：镇党委会研究确定；单位推荐、党建办指定"))
    meeting = models.ForeignKey(PoolMeeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("党委会研究"))
    proposed_by = models.CharField(_("提议单位"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("结对帮扶")
        verbose_name_plural = _("结对帮扶")
        ordering = ["reserve", "start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["reserve"], condition=Q(end__isnull=True),
                                    name="mentorship_one_current_per_reserve"),
        ]

    def __str__(self):
        return f"{self.reserve} ← {self.mentor}"


class FollowUpVisit(models.Model):
    """回访跟踪 of a reserve appointed (培养成功): a visit after the appointment."""

    reserve = models.ForeignKey(Reserve, on_delete=models.CASCADE, related_name="follow_ups",
                                verbose_name=_("后备干部"))
    date = models.DateField(_("回访日期"))
    visited_by = models.CharField(_("回访人"), max_length=60)
    content = models.TextField(_("回访情况"), max_length=TEXT_MAX)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("回访跟踪")
        verbose_name_plural = _("回访跟踪")
        ordering = ["reserve", "date", "id"]

    def __str__(self):
        return f"{self.reserve} {self.date:%Y-%m-%d}"

"""The cultivation of the reserves (培养): practice (实践锻炼 — tasks, meetings attended), training (学习培训 — the
talent plan's four forms, with the rotation subsidy) and talks (谈心谈话, 四必谈).

Talks here are the pool's 谈心谈话 with a reserve; the inspection stage's 个别谈话 (inspection.models) is another
thing — a talk about a candidate with people who know them — and keeps its own name in code and UI.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reserve.models import Town
from training.models import TEXT_MAX, Reserve


class Grade(models.TextChoices):
    """An evaluation of a task or a course result."""

    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("较差")


# ----------------------------------------------------------------------------- practice (实践锻炼)


class Task(models.Model):
    """A task given to a reserve (交任务、压担子): given → reported (the result) → evaluated (grade and comment)."""

    class Status(models.TextChoices):
        GIVEN = "given", _("进行中")
        REPORTED = "reported", _("已报告完成情况")
        EVALUATED = "evaluated", _("已评价")
        CANCELLED = "cancelled", _("已取消")

    reserve = models.ForeignKey(Reserve, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("后备干部"))
    title = models.CharField(_("任务名称"), max_length=100)
    content = models.TextField(_("任务内容和要求"), max_length=TEXT_MAX)
    given_by = models.CharField(_("交办人"), max_length=60)
    given_on = models.DateField(_("交办日期"))
    due_on = models.DateField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.GIVEN)
    version = models.PositiveIntegerField(default=0)
    result = models.TextField(_("完成情况"), max_length=TEXT_MAX, blank=True)
    reported_on = models.DateField(_("完成日期"), null=True, blank=True)
    grade = models.CharField(_("评价等次"), max_length=10, choices=Grade.choices, blank=True)
    comment = models.TextField(_("评价意见"), max_length=TEXT_MAX, blank=True)
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("评价人"))
    evaluated_on = models.DateField(_("评价日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("实践锻炼任务")
        verbose_name_plural = _("实践锻炼任务")
        ordering = ["due_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(due_on__gte=models.F("given_on")),
                                              name="task_due_not_before_given")]
        # status, due_on: the county-wide reminders; reserve, status, due_on: a town's or a mentor's overdue tasks
        # (cultivation.practice.overdue_tasks), probed per reserve of the town rather than every town's tasks.
        indexes = [models.Index(fields=["status", "due_on"]),
                   models.Index(fields=["reserve", "status", "due_on"], name="task_reserve_status_due")]

    def __str__(self):
        return self.title


class MeetingAttendance(models.Model):
    """An important meeting a reserve attended (列席村重要会议 and the like)."""

    reserve = models.ForeignKey(Reserve, on_delete=models.CASCADE, related_name="meetings",
                                verbose_name=_("后备干部"))
    date = models.DateField(_("会议日期"))
    meeting = models.CharField(_("会议名称"), max_length=100)
    note = models.TextField(_("参与情况"), max_length=TEXT_MAX, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("列席会议")
        verbose_name_plural = _("列席会议")
        ordering = ["date", "id"]

    def __str__(self):
        return self.meeting


# ----------------------------------------------------------------------------- training (学习培训)


class Course(models.Model):
    """A course or a posting in one of the talent plan's four forms (§四)."""

    class Kind(models.TextChoices):
        CLASS = "class", _("学习一批（镇办培训班）")
        SENT = "sent", _("选送一批（党校及其他培训机构）")
        ROTATION = "rotation", _("上派轮训一批（上级部门或镇机关定岗轮训）")
        INTERNSHIP = "internship", _("实习锻炼一批（跨单位交流实习）")

    class Topic(models.TextChoices):
        """What a town class teaches (学习一批: 政治理论、组织协调、公文写作 …)."""

        THEORY = "theory", _("理论")
        BUSINESS = "business", _("业务")
        PRACTICE = "practice", _("实践")

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="courses", verbose_name=_("镇"))
    kind = models.CharField(_("培养方式"), max_length=12, choices=Kind.choices)
    topic = models.CharField(_("培训类别"), max_length=10, choices=Topic.choices, blank=True)
    title = models.CharField(_("名称"), max_length=100)
    organiser = models.CharField(_("举办（接收）单位"), max_length=100)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1, default=0)
    # 上派轮训: the subsidy the sending unit pays per working day, fixed when the posting is recorded from the pool
    # term's parameter; and whether the town provides the working meals (镇政府保障其工作用餐).
    subsidy_per_day = models.DecimalField(_("补贴标准（元/工作日）"), max_digits=6, decimal_places=2, null=True,
                                          blank=True)
    meals_provided = models.BooleanField(_("镇政府保障工作用餐"), default=True)
    note = models.TextField(_("说明"), max_length=TEXT_MAX, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("培训（轮训、实习）")
        verbose_name_plural = _("培训（轮训、实习）")
        ordering = ["-start", "-id"]
        constraints = [models.CheckConstraint(condition=Q(end__gte=models.F("start")),
                                              name="course_end_not_before_start")]

    def __str__(self):
        return self.title


class Enrolment(models.Model):
    """A reserve on a course or posting: attendance and a result."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("培训"))
    reserve = models.ForeignKey(Reserve, on_delete=models.CASCADE, related_name="enrolments",
                                verbose_name=_("后备干部"))
    sending_unit = models.CharField(_("派出单位"), max_length=100, blank=True)
    # None until the attendance is recorded: an enrolment counts no hours before the course has been attended.
    attended = models.BooleanField(_("参加情况"), null=True, blank=True, default=None)
    hours = models.DecimalField(_("实际学时"), max_digits=6, decimal_places=1, null=True, blank=True,
                                help_text=_("不填则按培训学时计"))
    result = models.TextField(_("学习（轮训）成果"), max_length=TEXT_MAX, blank=True)
    grade = models.CharField(_("等次"), max_length=10, choices=Grade.choices, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("参训人员")
        verbose_name_plural = _("参训人员")
        ordering = ["course", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "reserve"], name="enrolment_once_per_course")]

    def __str__(self):
        return f"{self.reserve} — {self.course}"


# ----------------------------------------------------------------------------- talks (谈心谈话)


class TalkKind(models.TextChoices):
    """四必谈 (four-tier plan §五(三)1) and the regular talk."""

    POST_CHANGE = "post_change", _("调整岗位时必谈")
    PROMOTION = "promotion", _("提拔重用时必谈")
    SETBACK = "setback", _("遇到挫折时必谈")
    ASSESSMENT = "assessment", _("考察考核后必谈")
    REGULAR = "regular", _("日常谈心谈话")


class HeartTalk(models.Model):
    """A 谈心谈话 with a reserve — named apart from inspection's Talk (个别谈话 about a candidate with people who
    know them), a different thing."""

    reserve = models.ForeignKey(Reserve, on_delete=models.CASCADE, related_name="talks", verbose_name=_("后备干部"))
    held_at = models.DateTimeField(_("谈话时间"))
    place = models.CharField(_("地点"), max_length=100)
    talker = models.CharField(_("谈话人"), max_length=60)
    kind = models.CharField(_("谈话类型"), max_length=12, choices=TalkKind.choices, default=TalkKind.REGULAR)
    topic = models.CharField(_("谈话主题"), max_length=100)
    content = models.TextField(_("谈话内容"), max_length=TEXT_MAX)
    follow_up = models.TextField(_("后续跟进"), max_length=TEXT_MAX, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("谈心谈话")
        verbose_name_plural = _("谈心谈话")
        ordering = ["held_at", "id"]
        indexes = [models.Index(fields=["reserve", "held_at"])]

    def __str__(self):
        return f"{self.reserve} {self.held_at:%Y-%m-%d}"


class DueTalk(models.Model):
    """A talk the plan requires after an event (四必谈): created by the event, due within the pool term's
    working days, done by the talk that answers it."""

    reserve = models.ForeignKey(Reserve, on_delete=models.CASCADE, related_name="due_talks",
                                verbose_name=_("后备干部"))
    kind = models.CharField(_("谈话类型"), max_length=12, choices=TalkKind.choices)
    reason = models.CharField(_("事由"), max_length=200)
    arose_on = models.DateField(_("发生日期"))
    due_on = models.DateField(_("应谈期限"))
    talk = models.OneToOneField(HeartTalk, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers",
                                verbose_name=_("谈话记录"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("应谈事项")
        verbose_name_plural = _("应谈事项")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["talk", "due_on"])]

    def __str__(self):
        return f"{self.reserve} {self.get_kind_display()}"

"""The core every stage uses: organisations, 两委 rosters, accounts, events and the audit log."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import m2m_changed
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Gender
from .roles import refuse_conflicting_roles


class Town(models.Model):
    name = models.CharField(_("镇名称"), max_length=50, unique=True)
    party_committee_name = models.CharField(
        _("镇党委全称"), max_length=80, blank=True, help_text=_("如：中共青山镇委员会")
    )
    office_phone = models.CharField(_("组织办联系电话"), max_length=40, blank=True)
    office_address = models.CharField(_("组织办地址"), max_length=120, blank=True)
    require_otp_for_office = models.BooleanField(
        _("组织办账号须启用两步验证"), default=False,
        help_text=_("勾选后，本镇组织办的账号登录后须先绑定手机验证器（TOTP），每次登录输入动态验证码"),
    )
    require_otp_for_departments = models.BooleanField(
        _("联审部门账号须启用两步验证"), default=False,
        help_text=_("勾选后，本镇联审部门的账号登录后须先绑定手机验证器（TOTP），每次登录输入动态验证码"),
    )

    class Meta:
        verbose_name = _("镇")
        verbose_name_plural = _("镇")

    def __str__(self):
        return self.name


class Village(models.Model):
    class Kind(models.TextChoices):
        VILLAGE = "village", _("村")
        COMMUNITY = "community", _("社区")

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="villages", verbose_name=_("镇"))
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.VILLAGE)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("村（社区）")
        verbose_name_plural = _("村（社区）")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["town", "name"], name="village_unique_name_per_town")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("village_detail", args=[self.pk])


class CalendarDay(models.Model):
    """A town's own entry in the working-day calendar: an extra holiday or an extra working day.

    It overrides the official calendar (the chinese-calendar package) for that date, and is the only
    source besides Monday–Friday for a year the package does not know yet.
    """

    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="calendar_days", verbose_name=_("镇"))
    date = models.DateField(_("日期"))
    is_workday = models.BooleanField(_("是否工作日"), help_text=_("勾选表示这天上班（调休上班日）；不勾选表示放假"))
    note = models.CharField(_("说明"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["town", "date"], name="calendar_day_unique")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d}"


class Department(models.Model):
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="departments", verbose_name=_("镇"))
    name = models.CharField(_("名称"), max_length=50)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("联审部门")
        verbose_name_plural = _("联审部门")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["town", "name"], name="department_unique_name_per_town")]

    def __str__(self):
        return self.name


# The vetting departments named in the village plan §三.2, created for every new town.
DEFAULT_DEPARTMENTS = (
    "纪委", "派出所", "国土所", "司法所", "经管站", "审计所",
    "信访办", "环保办", "计生办", "扶贫办", "民政所", "武装部",
)


class Unit(models.Model):
    """An organisation whose people may be in the reserve pool besides the villages (four-tier plan §三):
    a town office (机关科室), a 站所 or centre, an enterprise or another organisation. A unit account
    (Role.UNIT) sees the unit's own reserves."""

    class Kind(models.TextChoices):
        OFFICE = "office", _("镇机关科室（办公室、中心）")
        STATION = "station", _("站所")
        ENTERPRISE = "enterprise", _("企业")
        OTHER = "other", _("其他组织")

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="units", verbose_name=_("镇"))
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.OFFICE)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["town", "name"], name="unit_unique_name_per_town")]

    def __str__(self):
        return self.name


class VillageCadre(models.Model):
    """A member of a village's current 两委 (party branch committee and villagers' committee)."""

    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="cadres", verbose_name=_("村（社区）"))
    name = models.CharField(_("姓名"), max_length=30)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    post = models.CharField(_("职务"), max_length=50, help_text=_("如：党支部书记、村委会主任、委员"))

    class Meta:
        verbose_name = _("两委成员")
        verbose_name_plural = _("两委成员")
        ordering = ["village", "id"]

    def __str__(self):
        return f"{self.name}（{self.post}）"


class User(AbstractUser):
    """An account. Its role is its group; its unit binds the scope of what it sees."""

    town = models.ForeignKey(Town, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("所属镇"))
    village = models.ForeignKey(
        Village, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("所属村（社区）")
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("所属部门")
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("所属单位"),
        help_text=_("单位账号（科室、站所、企业负责人）所属的单位"),
    )
    full_name = models.CharField(_("姓名"), max_length=30, blank=True)
    must_change_password = models.BooleanField(
        _("下次登录须修改密码"), default=False, help_text=_("管理员新建或重置密码的账号，首次登录时必须自行设置密码"),
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username

    def clean(self):
        super().clean()
        if self.village_id and self.town_id and self.village.town_id != self.town_id:
            raise ValidationError({"village": _("所属村（社区）不在所属镇内。")})
        if self.department_id and self.town_id and self.department.town_id != self.town_id:
            raise ValidationError({"department": _("所属部门不在所属镇内。")})
        if self.unit_id and self.town_id and self.unit.town_id != self.town_id:
            raise ValidationError({"unit": _("所属单位不在所属镇内。")})


# 三员分立: an administrator's role is held alone, however the groups are written (reserve.roles).
m2m_changed.connect(refuse_conflicting_roles, sender=User.groups.through, dispatch_uid="reserve_user_roles")


class Event(models.Model):
    """One workflow step on one object: who, when, from which status to which, and why."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    action = models.CharField(_("操作"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, blank=True)
    reason = models.TextField(_("理由"), max_length=1000, blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self):
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def changed_status(self) -> bool:
        """The step moved the object to another status (not an event recorded in place)."""
        return self.from_status != self.to_status


class AuditEntry(models.Model):
    """One line of the append-only audit log (reserve.audit.record writes it; nothing updates or deletes
    it — on PostgreSQL a trigger refuses UPDATE and DELETE; rows older than the retention period are
    removed only by the purge command, which lifts that guard for itself)."""

    class Action(models.TextChoices):
        LOGIN = "login", _("登录成功")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出登录")
        DENIED = "denied", _("拒绝访问")
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        VIEW = "view", _("查看敏感信息")
        DOWNLOAD = "download", _("下载")
        WORKFLOW = "workflow", _("办理")
        EXPORT = "export", _("导出")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    action = models.CharField(_("类型"), max_length=20, choices=Action.choices, db_index=True)
    # No database constraint and no cascade: a row outlives its user and is never rewritten.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                             related_name="+", verbose_name=_("用户"), db_constraint=False)
    username = models.CharField(_("账号"), max_length=150, blank=True, db_index=True)
    roles = models.CharField(_("角色"), max_length=200, blank=True)
    address = models.CharField(_("地址"), max_length=64, blank=True)
    path = models.CharField(_("网址"), max_length=300, blank=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.DO_NOTHING,
                                     db_constraint=False, related_name="+")
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True, db_index=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        default_permissions = ()  # nobody adds, changes or deletes rows through permissions
        indexes = [
            # An office's audit page: the failed sign-ins typed with its town's usernames (reserve.selectors).
            models.Index(fields=["username"], condition=models.Q(user__isnull=True, action="login_failed"),
                         name="audit_failed_signin_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"


def job_file_path(job, filename):
    """Where a generated file is stored: jobs/<yyyy>/<mm>/<uuid>.<ext> (the download name is kept apart)."""
    now = timezone.localtime()
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"jobs/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.{ext}"


class Job(models.Model):
    """A document generated in the background (reserve.jobs): who asked for it, how far it is, and the file."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("生成失败")

    kind = models.CharField(_("类型"), max_length=60)
    title = models.CharField(_("名称"), max_length=200)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs",
                              verbose_name=_("申请人"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    file = models.FileField(_("文件"), upload_to=job_file_path, max_length=200, blank=True)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("生成的文件")
        verbose_name_plural = _("生成的文件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="reserve_job_owner_created")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("job_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        """How far the run is, 0–100 (0 while the total is not known yet)."""
        if self.status == self.Status.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

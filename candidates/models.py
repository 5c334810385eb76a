"""People, nominations (自荐表) and the rows of the form."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reserve import crypto
from reserve.choices import Education, Gender, PoliticalStatus, RelaxationCategory
from reserve.fields import EncryptedIdNumberField, IdNumberHashField
from reserve.models import Round, Village, VillageCadre


class PersonQuerySet(models.QuerySet):
    """Finding a person by ID number goes through the keyed hash: the number itself is encrypted."""

    def by_id_number(self, number: str):
        """The people (none or one) with this ID number, as a queryset."""
        return self.filter(id_number_hash=crypto.id_hash(number))

    def get_or_create_by_id_number(self, number: str, defaults=None):
        return self.get_or_create(
            id_number_hash=crypto.id_hash(number), defaults={**(defaults or {}), "id_number": number}
        )


class Person(models.Model):
    """A person, kept across rounds and found again by the ID number.

    The ID number is stored encrypted (column id_number_encrypted, reserve.crypto); `id_number` reads
    as the plain number. Uniqueness and lookups use id_number_hash, its keyed hash. Show it masked
    (reserve.idnumber.mask) except where a role needs it whole, and audit each such showing.
    """

    id_number = EncryptedIdNumberField(_("身份证号码"), db_column="id_number_encrypted", hash_field="id_number_hash")
    id_number_hash = IdNumberHashField(_("身份证号码摘要"), source="id_number", unique=True)
    name = models.CharField(_("姓名"), max_length=30)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")

    def __str__(self):
        return self.name

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is not None and "id_number" in update_fields:
            update_fields = {*update_fields, "id_number_hash"}  # the hash follows the number
        super().save(*args, update_fields=update_fields, **kwargs)


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已受理")
    VETTING = "vetting", _("资格审查中")
    VETTED = "vetted", _("资格审查通过")
    DISQUALIFIED = "disqualified", _("资格审查未通过")
    INSPECTION = "inspection", _("组织考察中")
    PROPOSED = "proposed", _("考察合格，待党委研究")
    APPROVED = "approved", _("党委研究确定")
    REJECTED = "rejected", _("未确定")
    PUBLICISED = "publicised", _("公示中")
    RESERVE = "reserve", _("已入库")
    WITHDRAWN = "withdrawn", _("已撤回")


class Nomination(models.Model):
    """One person's self-nomination (自荐表) in one round, submitted by their village branch."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("批次"))
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("推荐村（社区）")
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("人员"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)

    # 基本情况 (name, gender, birth date and ID number are on the person)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    native_place = models.CharField(_("籍贯"), max_length=50, blank=True)
    birthplace = models.CharField(_("出生地"), max_length=50, blank=True)
    political_status = models.CharField(_("政治面貌"), max_length=20, choices=PoliticalStatus.choices)
    party_join_date = models.DateField(_("入党时间"), null=True, blank=True)
    work_start_date = models.DateField(_("参加工作时间"), null=True, blank=True)
    health = models.CharField(_("健康状况"), max_length=20, default="健康")
    # 户籍
    hukou_village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="+", verbose_name=_("户籍所在村（社区）")
    )
    hukou_address = models.CharField(_("户籍地址"), max_length=120, blank=True)
    # 学历
    fulltime_education = models.PositiveSmallIntegerField(
        _("全日制学历"), choices=Education.choices, null=True, blank=True
    )
    fulltime_school = models.CharField(_("全日制毕业院校及专业"), max_length=100, blank=True)
    inservice_education = models.PositiveSmallIntegerField(
        _("在职学历"), choices=Education.choices, null=True, blank=True
    )
    inservice_school = models.CharField(_("在职毕业院校及专业"), max_length=100, blank=True)
    # 工作与联系
    work_unit_post = models.CharField(_("现工作单位及职务"), max_length=100)
    phone = models.CharField(_("联系电话"), max_length=20)
    speciality = models.CharField(_("专长"), max_length=100, blank=True)
    awards_punishments = models.TextField(_("奖惩情况"), blank=True)
    statement = models.TextField(_("自荐理由（主要表现）"))
    relaxation_category = models.CharField(
        _("申请放宽条件的类别"), max_length=30, choices=RelaxationCategory.choices, blank=True
    )
    relaxation_note = models.TextField(_("放宽条件说明"), blank=True)
    id_card_copy = models.FileField(_("身份证复印件"), upload_to="id_cards/%Y/", blank=True)

    # Eligibility as last evaluated (candidates.eligibility), kept for lists and filters.
    is_eligible = models.BooleanField(_("符合基本条件"), default=False)
    eligibility = models.JSONField(_("资格初审结果"), default=list, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("填报人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("自荐表")
        verbose_name_plural = _("自荐表")
        ordering = ["-id"]
        constraints = [
            # One person nominates once per round; a withdrawn nomination does not block a new one.
            models.UniqueConstraint(
                fields=["round", "person"],
                condition=~models.Q(status="withdrawn"),
                name="nomination_one_per_person_per_round",
            ),
        ]
        indexes = [models.Index(fields=["round", "village", "status"])]

    def __str__(self):
        return f"{self.person.name}（{self.village.name}）"

    def get_absolute_url(self):
        return reverse("candidates:nomination_detail", args=[self.pk])

    @property
    def highest_education(self):
        levels = [e for e in (self.fulltime_education, self.inservice_education) if e is not None]
        return max(levels) if levels else None


class ResumeEntry(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="resume")
    start = models.DateField(_("起始年月"))
    end = models.DateField(_("截止年月"), null=True, blank=True, help_text=_("至今可不填"))
    unit_post = models.CharField(_("单位及职务（学习经历）"), max_length=100)

    class Meta:
        verbose_name = _("个人简历")
        verbose_name_plural = _("个人简历")
        ordering = ["start", "id"]


class FamilyMember(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="family")
    relation = models.CharField(_("称谓"), max_length=20)
    name = models.CharField(_("姓名"), max_length=30)
    birth_date = models.DateField(_("出生年月"), null=True, blank=True)
    political_status = models.CharField(
        _("政治面貌"), max_length=20, choices=PoliticalStatus.choices, blank=True
    )
    work_unit_post = models.CharField(_("工作单位及职务"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("家庭主要成员及重要社会关系")
        verbose_name_plural = _("家庭主要成员及重要社会关系")
        ordering = ["id"]


class CommitteeRelative(models.Model):
    """A relative the candidate declares on the village's current 两委."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="committee_relatives")
    cadre = models.ForeignKey(
        VillageCadre, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("两委成员")
    )
    # Kept as written when declared, so the declaration survives a change of the roster.
    cadre_name = models.CharField(_("两委成员姓名及职务"), max_length=90)
    relation = models.CharField(_("亲属关系"), max_length=20)

    class Meta:
        verbose_name = _("在本村两委任职的亲属")
        verbose_name_plural = _("在本村两委任职的亲属")
        ordering = ["id"]

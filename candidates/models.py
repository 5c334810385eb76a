"""Selection: rounds (选拔批次) with every policy parameter of the village plan, people, nominations
(自荐表) and the rows of the form."""

import datetime
import itertools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reserve import crypto
from reserve.choices import DayKind, Education, Gender, PoliticalStatus, RelaxationCategory, TalkCategory, VoterCategory
from reserve.fields import EncryptedIdNumberField, IdNumberHashField
from reserve.models import Town, Village, VillageCadre


def default_relaxations():
    return [c.value for c in RelaxationCategory]


def default_talk_categories():
    """The plan's 个别谈话: 两委成员, 退职村干部, 党员代表 and 群众代表, each at least once."""
    return [c.value for c in TalkCategory]


def default_appraisal_categories():
    """The plan's 民主测评 by 党员 and 村民代表."""
    return [VoterCategory.PARTY_MEMBER.value, VoterCategory.VILLAGER_REP.value]


# The longest text each free-text field of a 自荐表 takes (model and form: a TextField's max_length is enforced
# by its model form). Sized to the printed form's boxes and the practice notes; they also bound what a PDF
# has to lay out (reserve.pdf).
STATEMENT_MAX = 3000
AWARDS_MAX = 2000
NOTE_MAX = 500
REASON_MAX = 500

# "20xx年以来" in the negative list defaults to this many years before the round's year (the plan's
# "近三年来" of item 4); the office may change it per round.
NEGATIVE_LIST_YEARS_BACK = 3


class Round(models.Model):
    """A selection round (选拔批次) of one town and year, carrying every placeholder of the plan."""

    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结束")

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("镇"))
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    name = models.CharField(_("批次名称"), max_length=80)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)

    # 一、推选数量
    reserves_per_village = models.PositiveSmallIntegerField(
        _("每村后备干部人数"), default=2, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    female_extra_reserves = models.PositiveSmallIntegerField(
        _("另推选女性后备干部人数"), default=1, validators=[MaxValueValidator(10)],
        help_text=_("村“两委”中没有规定年龄以下女干部时，另推选的女性后备干部人数"),
    )
    female_age_limit = models.PositiveSmallIntegerField(
        _("女干部年龄界限（周岁）"), default=35, validators=[MinValueValidator(18), MaxValueValidator(70)],
        help_text=_("“没有xx周岁以下女干部”中的年龄"),
    )
    # 二、基本条件
    age_limit = models.PositiveSmallIntegerField(
        _("年龄上限（周岁）"), default=35, validators=[MinValueValidator(18), MaxValueValidator(70)]
    )
    age_reference_date = models.DateField(_("年龄计算基准日"), help_text=_("在此日期当天的周岁年龄不超过上限"))
    min_education = models.PositiveSmallIntegerField(
        _("最低学历"), choices=Education.choices, default=Education.HIGH_SCHOOL
    )
    relaxation_categories = models.JSONField(
        _("可放宽条件的类别"), default=default_relaxations, blank=True,
    )
    relaxed_min_education = models.PositiveSmallIntegerField(
        _("放宽后的最低学历"), choices=Education.choices, default=Education.JUNIOR_HIGH,
    )
    relaxed_age_extra = models.PositiveSmallIntegerField(
        _("放宽类别可放宽的年龄（岁）"), default=0, validators=[MaxValueValidator(15)],
    )
    # 负面清单（第二条第4、5、6、8、11项）中的年限
    negative_since_year = models.PositiveSmallIntegerField(
        _("负面清单起算年份（“20xx年以来”）"), blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("不填则为批次年度前三年"),
    )
    probation_recovery_years = models.PositiveSmallIntegerField(
        _("留党察看期满恢复党员权利未满（年）"), default=3, validators=[MaxValueValidator(20)],
    )
    expulsion_years = models.PositiveSmallIntegerField(
        _("受开除党籍处分不满（年）"), default=5, validators=[MaxValueValidator(20)],
    )
    family_planning_years = models.PositiveSmallIntegerField(
        _("违反计划生育处理完结未满（年）"), default=5, validators=[MaxValueValidator(20)],
    )
    # 三、推选方法和步骤：各阶段时间
    nomination_start = models.DateField(_("自荐报名开始"))
    nomination_end = models.DateField(_("自荐报名截止"))
    review_start = models.DateField(_("资格审查开始"))
    review_end = models.DateField(_("资格审查截止"))
    inspection_start = models.DateField(_("组织考察开始"))
    inspection_end = models.DateField(_("组织考察截止"))
    publicity_start = models.DateField(_("公示开始"))
    publicity_days = models.PositiveSmallIntegerField(
        _("公示期（天数）"), default=5, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    publicity_day_kind = models.CharField(
        _("公示期天数按"), max_length=10, choices=DayKind.choices, default=DayKind.WORKING,
        help_text=_("“不少于五个工作日”按工作日；公告写“7天”的按自然日"),
    )
    public_list_days = models.PositiveSmallIntegerField(
        _("公示期满后名单继续公开（天）"), default=3, validators=[MaxValueValidator(30)],
        help_text=_("公示期满后公示网页继续显示名单（并受理逾期反映）的天数；此后网页只显示公示期已结束。"
                    "0为期满次日起不再显示"),
    )
    # 民主测评通过条件：(优秀+称职) / 有效票 ≥ 分子/分母，且 收回票 / 应参加人数 ≥ 分子/分母
    appraisal_pass_numerator = models.PositiveSmallIntegerField(_("测评通过比例分子"), default=2)
    appraisal_pass_denominator = models.PositiveSmallIntegerField(_("测评通过比例分母"), default=3)
    appraisal_turnout_numerator = models.PositiveSmallIntegerField(_("参评率分子"), default=2)
    appraisal_turnout_denominator = models.PositiveSmallIntegerField(_("参评率分母"), default=3)
    # 组织考察须完成的环节
    required_talk_categories = models.JSONField(
        _("个别谈话须覆盖的对象类别"), default=default_talk_categories, blank=True,
        help_text=_("每类至少谈话一人，方可提交党委研究"),
    )
    required_appraisal_categories = models.JSONField(
        _("民主测评须包含的投票人类别"), default=default_appraisal_categories, blank=True,
    )
    # 镇党委研究：到会委员须达应到委员的 分子/分母
    committee_quorum_numerator = models.PositiveSmallIntegerField(_("党委会到会比例分子"), default=2)
    committee_quorum_denominator = models.PositiveSmallIntegerField(
        _("党委会到会比例分母"), default=3, help_text=_("讨论干部事项须三分之二以上委员到会"),
    )

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("选拔批次")
        verbose_name_plural = _("选拔批次")
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["town", "year", "name"], name="round_unique_name_per_town_year"),
            models.CheckConstraint(
                condition=models.Q(nomination_start__lte=models.F("nomination_end")),
                name="round_nomination_window_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(review_start__lte=models.F("review_end")),
                name="round_review_window_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(inspection_start__lte=models.F("inspection_end")),
                name="round_inspection_window_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(appraisal_pass_numerator__lte=models.F("appraisal_pass_denominator"))
                & models.Q(appraisal_pass_denominator__gt=0),
                name="round_pass_ratio_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(appraisal_turnout_numerator__lte=models.F("appraisal_turnout_denominator"))
                & models.Q(appraisal_turnout_denominator__gt=0),
                name="round_turnout_ratio_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(committee_quorum_numerator__lte=models.F("committee_quorum_denominator"))
                & models.Q(committee_quorum_denominator__gt=0),
                name="round_quorum_ratio_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.negative_since_year is None and self.year:
            self.negative_since_year = self.year - NEGATIVE_LIST_YEARS_BACK
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("round_detail", args=[self.pk])

    DATE_FIELDS = ("age_reference_date", "nomination_start", "nomination_end", "review_start", "review_end",
                   "inspection_start", "inspection_end", "publicity_start")

    def clean(self):
        errors = {}
        for name in self.DATE_FIELDS:
            day = getattr(self, name)
            if day and not 2000 <= day.year <= 2100:
                errors[name] = _("日期须在2000年至2100年之间。")
        windows = [
            ("nomination_start", "nomination_end"),
            ("review_start", "review_end"),
            ("inspection_start", "inspection_end"),
        ]
        for start, end in windows:
            a, b = getattr(self, start), getattr(self, end)
            if a and b and a > b:
                errors[end] = _("截止日期不能早于开始日期。")
        order = ["nomination_start", "review_start", "inspection_start", "publicity_start"]
        for earlier, later in itertools.pairwise(order):
            a, b = getattr(self, earlier), getattr(self, later)
            if a and b and b < a and later not in errors:
                errors[later] = _("各阶段须按 自荐报名、资格审查、组织考察、公示 的顺序安排。")
        for num, den in [
            ("appraisal_pass_numerator", "appraisal_pass_denominator"),
            ("appraisal_turnout_numerator", "appraisal_turnout_denominator"),
            ("committee_quorum_numerator", "committee_quorum_denominator"),
        ]:
            n, d = getattr(self, num), getattr(self, den)
            if d is not None and d == 0:
                errors[den] = _("分母必须大于0。")
            elif n is not None and d is not None and n > d:
                errors[num] = _("分子不能大于分母。")
        unknown = set(self.relaxation_categories or []) - set(RelaxationCategory.values)
        if unknown:
            errors["relaxation_categories"] = _("包含未知的放宽类别。")
        for name, choices in (("required_talk_categories", TalkCategory), ("required_appraisal_categories", VoterCategory)):
            if set(getattr(self, name) or []) - set(choices.values):
                errors[name] = _("包含未知的类别。")
        if self.relaxed_min_education is not None and self.min_education is not None:
            if self.relaxed_min_education > self.min_education:
                errors["relaxed_min_education"] = _("放宽后的最低学历不能高于一般最低学历。")
        if errors:
            raise ValidationError(errors)

    def nomination_window_open(self, on: datetime.date) -> bool:
        return self.status == self.Status.OPEN and self.nomination_start <= on <= self.nomination_end


# The policy parameters of a round, in the sections of the round's form: the one list of them
# (the form, the change service and its event read it).
ROUND_PARAMETER_SECTIONS = (
    (_("基本信息"), ("name", "year", "status")),
    (_("推选数量"), ("reserves_per_village", "female_extra_reserves", "female_age_limit")),
    (_("基本条件"), ("age_limit", "age_reference_date", "min_education", "relaxation_categories",
                 "relaxed_min_education", "relaxed_age_extra")),
    (_("负面清单中的年限"), ("negative_since_year", "probation_recovery_years", "expulsion_years",
                       "family_planning_years")),
    (_("各阶段时间"), ("nomination_start", "nomination_end", "review_start", "review_end",
                   "inspection_start", "inspection_end", "publicity_start", "publicity_days",
                   "publicity_day_kind", "public_list_days")),
    (_("组织考察"), ("required_talk_categories", "required_appraisal_categories")),
    (_("民主测评通过条件"), ("appraisal_pass_numerator", "appraisal_pass_denominator",
                     "appraisal_turnout_numerator", "appraisal_turnout_denominator")),
    (_("镇党委研究"), ("committee_quorum_numerator", "committee_quorum_denominator")),
)
ROUND_PARAMETER_FIELDS = tuple(name for _title, names in ROUND_PARAMETER_SECTIONS for name in names)


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

    The identity fields (name, gender, birth date, ID number) are shared by every round and town the person
    was nominated in: a 自荐表 never writes them once the person exists (the nomination keeps the name as filed,
    Nomination.name); only the office of the town holding the person's current records corrects them
    (candidates.services.person_correct_identity), with the old values in the audit log.

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
    WITHDRAWN = "withdrawn", _("已撤回")  # by the village branch (撤回)
    REVOKED = "revoked", _("已撤销")  # by the organisation office (撤销)


# Statuses in which a nomination has left the selection and no longer counts or blocks a new one.
WITHDRAWN_STATUSES = (Status.WITHDRAWN, Status.REVOKED)


class Nomination(models.Model):
    """One person's self-nomination (自荐表) in one round, submitted by their village branch."""

    # The badge of each status ({% status_badge %}); the colours are in static/css/reserve.css.
    BADGES = {s.value: f"status-badge status-{s.value}" for s in Status} | {
        Status.REVOKED.value: "status-badge status-withdrawn",  # coloured as a withdrawal
    }

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("批次"))
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("推荐村（社区）")
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("人员"))
    # The name as the village filed it: this round's lists, notice and PDFs show it, whatever becomes of the
    # shared person row (Person).
    name = models.CharField(_("姓名"), max_length=30)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)

    # 基本情况 (gender, birth date and ID number are on the person; the name as filed is above)
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
    awards_punishments = models.TextField(_("奖惩情况"), max_length=AWARDS_MAX, blank=True)
    statement = models.TextField(_("自荐理由（主要表现）"), max_length=STATEMENT_MAX)
    relaxation_category = models.CharField(
        _("申请放宽条件的类别"), max_length=30, choices=RelaxationCategory.choices, blank=True
    )
    relaxation_note = models.TextField(_("放宽条件说明"), max_length=NOTE_MAX, blank=True)
    id_card_copy = models.FileField(_("身份证复印件"), upload_to="id_cards/%Y/", blank=True)

    # The organisation office's decision to relax a basic condition (the plan's 放宽条件): decided by the office,
    # not claimed by the village (candidates.services.record_relaxation; candidates.eligibility reads it).
    relaxation_decided = models.CharField(
        _("组织办决定放宽的类别"), max_length=30, choices=RelaxationCategory.choices, blank=True
    )
    relaxation_reason = models.TextField(_("放宽理由"), max_length=REASON_MAX, blank=True)
    relaxation_approved_by = models.CharField(_("批准人"), max_length=60, blank=True)
    relaxation_approved_on = models.DateField(_("批准日期"), null=True, blank=True)
    relaxation_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("放宽决定录入人"),
    )

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
                condition=~models.Q(status__in=["withdrawn", "revoked"]),
                name="nomination_one_per_person_per_round",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "village", "status"]),
            # The nomination list (candidates.selectors.LIST_ORDER), one index per filter it offers; the status and
            # the name ride along, so that a page's ids, its count and a short name search read the index alone.
            models.Index(fields=["round", "village", "-id"], include=["status", "name"], name="nomination_list_idx"),
            models.Index(fields=["round", "status", "village", "-id"], include=["name"],
                         name="nomination_list_status_idx"),
            models.Index(fields=["round", "is_eligible", "village", "-id"], include=["status", "name"],
                         name="nomination_list_eligible_idx"),
        ]

    def __str__(self):
        return f"{self.name}（{self.village.name}）"

    def get_absolute_url(self):
        return reverse("candidates:nomination_detail", args=[self.pk])

    @property
    def is_returned(self) -> bool:
        return self.status == Status.RETURNED

    @property
    def is_publicised(self) -> bool:
        return self.status == Status.PUBLICISED

    @property
    def hukou_text(self) -> str:
        """户籍所在地 as one phrase: the village and the address, without repeating the village's name."""
        village = self.hukou_village.name if self.hukou_village_id else ""
        address = (self.hukou_address or "").strip()
        if address.startswith(village):
            return address
        return f"{village}{address}"

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

    def __str__(self):
        return f"{self.start:%Y.%m} {self.unit_post}"


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

    def __str__(self):
        return f"{self.relation} {self.name}"


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

    def __str__(self):
        return f"{self.cadre_name}（{self.relation}）"

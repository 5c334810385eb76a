"""The reserve pool (后备干部库) and, in later work, its training and management."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from candidates.models import Nomination, Person, Round
from reserve.models import Village


class Tier(models.IntegerChoices):
    """The four tiers of the town's talent plan (四级梯队)."""

    FIRST = 1, _("第一梯队（科级后备干部）")
    SECOND = 2, _("第二梯队（机关中层后备干部）")
    THIRD = 3, _("第三梯队（村、社区后备干部）")
    FOURTH = 4, _("第四梯队（专业技术、行业带头人、致富能手）")


class Reserve(models.Model):
    """A person in the reserve pool.

    Village reserve cadres chosen by a selection round enter tier 3: the four-tier plan's tier of
    village and community leadership reserves, which is what the village plan trains them for.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("培养中")
        USED = "used", _("已使用")
        REMOVED = "removed", _("已调整出库")
        EXPIRED = "expired", _("培养期满")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="reserve_records",
                               verbose_name=_("人员"))
    nomination = models.OneToOneField(Nomination, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="reserve", verbose_name=_("来源自荐表"))
    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.PROTECT, related_name="reserves",
                              verbose_name=_("选拔批次"))
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="reserves",
                                verbose_name=_("村（社区）"))
    tier = models.PositiveSmallIntegerField(_("梯队"), choices=Tier.choices, default=Tier.THIRD)
    start_date = models.DateField(_("入库日期"))
    term_end = models.DateField(_("本届培养期至"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("后备干部")
        verbose_name_plural = _("后备干部")
        ordering = ["village__order", "start_date", "id"]

    def __str__(self):
        return f"{self.person.name}（{self.village.name}）"

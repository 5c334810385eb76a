"""Choice sets shared by several apps."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Education(models.IntegerChoices):
    """Education levels, ordered so that a comparison means 'at least'."""

    PRIMARY = 10, _("小学")
    JUNIOR_HIGH = 20, _("初中")
    HIGH_SCHOOL = 30, _("高中（中专、职高、技校）")
    COLLEGE = 40, _("大专")
    BACHELOR = 50, _("大学本科")
    POSTGRADUATE = 60, _("研究生")


class RelaxationCategory(models.TextChoices):
    """Who may have the education condition relaxed (village plan §二)."""

    RETURNING_GRADUATE = "returning_graduate", _("返乡创业大学生")
    COOP_LEADER = "coop_leader", _("合作社负责人")
    VETERAN = "veteran", _("优秀退伍军人")
    SPECIAL = "special", _("其他特殊情况（需说明）")


class PoliticalStatus(models.TextChoices):
    PARTY_MEMBER = "party_member", _("中共党员")
    PROBATIONARY = "probationary", _("中共预备党员")
    LEAGUE_MEMBER = "league_member", _("共青团员")
    OTHER_PARTY = "other_party", _("民主党派")
    MASSES = "masses", _("群众")


class TalkCategory(models.TextChoices):
    """Whom the inspection talks to (个别谈话对象, village plan §三.3); a round names those required."""

    COMMITTEE = "committee", _("两委成员")
    FORMER_CADRE = "former_cadre", _("退职村干部")
    PARTY_REP = "party_rep", _("党员代表")
    MASSES_REP = "masses_rep", _("群众代表")


class VoterCategory(models.TextChoices):
    """Who votes in the democratic appraisal (民主测评); a round names those required."""

    PARTY_MEMBER = "party_member", _("党员")
    VILLAGER_REP = "villager_rep", _("村民代表")
    COMMITTEE = "committee", _("两委成员")


class DayKind(models.TextChoices):
    """How a period of days is counted (a 公示 of "5个工作日" or of "7天")."""

    WORKING = "working", _("工作日")
    CALENDAR = "calendar", _("自然日")

"""Drafts of the written documents, from the data (the office edits them before printing)."""

from django.utils.translation import gettext as _

from reserve.choices import Education, PoliticalStatus
from reserve.dates import cn_date, cn_month

from .models import QUALITIES


def draft_report(nomination, results, talks) -> str:
    """考察材料 in the standard form: opening, 德/能勤绩/廉, shortcomings, the appraisal result."""
    person = nomination.person
    edu = nomination.highest_education
    opening = _("%(name)s，%(gender)s，%(birth)s生，%(eth)s，%(native)s人，%(edu)s文化程度，") % {
        "name": nomination.name, "gender": person.get_gender_display(), "birth": cn_month(person.birth_date),
        "eth": nomination.ethnicity, "native": nomination.native_place or "XX",
        "edu": Education(edu).label if edu else "XX",
    }
    if nomination.political_status in (PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY) and \
            nomination.party_join_date:
        opening += _("%(d)s加入中国共产党，") % {"d": cn_month(nomination.party_join_date)}
    else:
        opening += _("%(p)s，") % {"p": nomination.get_political_status_display()}
    opening += _("现任%(post)s。该同志主要表现是：") % {"post": nomination.work_unit_post}
    lines = [_("%(name)s同志考察材料") % {"name": nomination.name}, "", opening, ""]
    lines += [
        _("一、思想政治方面（德）：") + _("（请根据个别谈话和测评情况填写）"),
        _("二、工作能力和实绩方面（能、勤、绩）：") + nomination.statement.strip(),
        _("三、廉洁自律方面（廉）：") + _("（请填写）"),
        _("四、主要缺点和不足：") + _("（请填写）"),
    ]
    if results:
        lines.append(appraisal_paragraph(nomination, results))
    if talks:
        lines.append(_("六、个别谈话情况：共个别谈话%(n)d人次，其中%(cats)s。") % {
            "n": len(talks),
            "cats": "、".join(
                f"{label}{count}人" for label, count in _count_categories(talks)
            ),
        })
    lines += ["", _("考察组："), _("年　月　日")]
    return "\n".join(lines)


def appraisal_paragraph(nomination, results) -> str:
    """Paragraph 五 of the 考察材料: every appraisal session held for the nomination (oldest first), each with
    its result and, for a repeated one, the reason recorded for holding it again — a failed session is never
    left out."""
    quality_note = "、".join(QUALITIES)
    ordered = list(reversed(results))
    if len(ordered) == 1:
        session, result = ordered[0]
        return _("五、民主测评情况：%(date)s在%(village)s组织民主测评，%(w)s（测评内容包括%(q)s五个方面。）") % {
            "date": cn_date(session.date), "village": session.village.name, "w": result.wording(), "q": quality_note}
    parts = [_("五、民主测评情况：共组织民主测评%(n)d次。") % {"n": len(ordered)}]
    for i, line in enumerate(session_lines(nomination, ordered), start=1):
        parts.append(_("第%(i)d次：") % {"i": i} + line)
    parts.append(_("（测评内容包括%(q)s五个方面。）") % {"q": quality_note})
    return "".join(parts)


def session_lines(nomination, ordered) -> list[str]:
    """One sentence per appraisal session (oldest first): date, village, result, whether it passed, and the
    reason a repeated session was held."""
    lines = []
    for session, result in ordered:
        line = _("%(date)s在%(village)s组织民主测评，%(w)s") % {
            "date": cn_date(session.date), "village": session.village.name, "w": result.wording()}
        line += _("达到通过条件。") if result.passes(nomination.round) else _("未达到通过条件。")
        if session.repeat_reason:
            line += _("再次测评理由：%(r)s") % {"r": session.repeat_reason.strip()}
            if not line.endswith(("。", "！", "？")):
                line += "。"
        lines.append(line)
    return lines


def _count_categories(talks):
    counts = {}
    for t in talks:
        label = t.get_category_display()
        counts[label] = counts.get(label, 0) + 1
    return list(counts.items())

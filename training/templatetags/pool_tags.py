"""The pool list's rows rendered in Python: {% pool_rows page %} (its filter's options: reserve_tags' option_tags).

A page of 25 reserves drawn through the template was most of the list's time (issue 13); this writes the same
markup."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


def _dotted(day) -> str:
    return f"{day:%Y.%m.%d}" if day else ""  # as |date:"Y.m.d"


class _Words:
    """The list's words, translated once a page."""

    def __init__(self):
        from django.utils.translation import gettext

        def _(text):
            return escape(gettext(text))

        self.name, self.tier, self.unit, self.term = _("姓名"), _("类别"), _("单位"), _("届期")
        self.mentor, self.status, self.talk = _("引路人"), _("状态"), _("距上次谈话")
        self.activist_title, self.activist = _("入党积极分子推荐对象"), _("积极分子推荐")
        self.no_mentor, self.last_talk, self.never = _("未明确"), _("最近谈话"), _("从未谈话")
        self.term_number, self.days = _("第%(n)s届"), _("%(n)s天")


def _row(r, w: _Words) -> str:
    activist = (f' <span class="badge text-bg-light border" title="{w.activist_title}">{w.activist}</span>'
                if r.activist_recommended_on else "")
    marks = "".join(f' <span class="badge {escape(css)}" title="{escape(title)}" data-mark>{escape(label)}</span>'
                    for label, css, title in r.marks)
    mentor = escape(str(r.mentor)) if r.mentor else f'<span class="text-muted">{w.no_mentor}</span>'
    days = "" if r.days_since_talk is None else r.days_since_talk
    if r.last_talk_on:
        talk = (f'<span class="text-nowrap" title="{w.last_talk} {r.last_talk_on:%Y-%m-%d}">'
                f'{w.days % {"n": escape(days)}} <span class="text-muted small">{r.last_talk_on:%m.%d}</span></span>')
    else:
        talk = f'<span class="rule-warn">{w.never}</span>'
    return (
        f'    <tr data-reserve="{r.pk}">\n'
        f'      <td data-label="{w.name}"><a href="{escape(r.get_absolute_url())}">{escape(r.name)}</a>{activist}{marks}</td>\n'
        f'      <td data-label="{w.tier}" class="text-nowrap" title="{escape(r.tier_label)}">{escape(r.tier_short)}</td>\n'
        f'      <td data-label="{w.unit}" class="text-nowrap">{escape(r.unit_name)}</td>\n'
        f'      <td data-label="{w.term}" class="text-nowrap"><span>{_dotted(r.term_start)}—{_dotted(r.term_end)}</span> '
        f'<span class="text-muted small">{w.term_number % {"n": escape(r.term_number)}}</span></td>\n'
        f'      <td data-label="{w.mentor}" class="text-nowrap">{mentor}</td>\n'
        f'      <td data-label="{w.status}"><span class="badge {escape(r.badge.css)}" data-state="{escape(r.badge.state)}">'
        f'{escape(r.badge.label)}</span></td>\n'
        f'      <td data-label="{w.talk}" data-days="{days}">{talk}</td>\n'
        f'    </tr>\n')


@register.simple_tag
def pool_rows(reserves) -> str:
    """The list's rows: each reserve with what the view put on it (marks, badge, tier labels, days since talk)."""
    words = _Words()
    return mark_safe("".join(_row(r, words) for r in reserves))  # noqa: S308 — every value escaped

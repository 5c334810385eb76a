"""The ledger's department cells rendered in Python: {% ledger_cell request today %}."""

from django import template
from django.utils.html import format_html

register = template.Library()


def _day(value) -> str:
    """A date or a moment as the ledger shows it ("n月j日", a moment in local time), as |date:"n月j日" does."""
    from django.utils import dateformat, timezone

    if value is None:
        return ""
    if hasattr(value, "astimezone") and timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, "n月j日")


@register.simple_tag
def ledger_cell(request, today):
    """A department's cell of the ledger's page (the request, or None where it has none), built in Python: 30 rows
    × a dozen departments drew it through nested template tags, most of the page's time (issue 13)."""
    from django.utils.translation import gettext as _

    if request is None:
        return ""
    if not request.answered:
        late = format_html('<br><small class="rule-fail">{}</small>', _("逾期")) if request.deadline < today else ""
        reminded = format_html("<br><small>{}</small>", _("已催办%(n)s次") % {"n": request.reminder_count}) \
            if request.reminder_count else ""
        return format_html("{}{}{}", _("待审"), late, reminded)
    if request.flagged:
        answer = format_html('<span class="rule-fail">{}</span>{}', _("有问题"), format_html(
            "（{}）", request.get_decision_display()) if request.decision else "")
    else:
        answer = format_html('<span class="rule-pass">{}</span>', _("通过"))
    if request.entered_by_office:
        signed = format_html("{}<br>{}，{}", _("由组织办代为录入（附纸质回复）"), request.paper_signer,
                             _day(request.paper_date))
    else:
        signer = request.signer_name
        signed = format_html("{}{}", format_html("{}，", signer) if signer else "", _day(request.signed_at))
    return format_html("{}<br><small>{}</small>", answer, signed)

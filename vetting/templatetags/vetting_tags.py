"""The ledger's rows rendered in Python: {% ledger_body rows today link first %}."""

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from reserve.dates import cn_month_day

register = template.Library()


class _Labels:
    """The words of the ledger's cells, translated once a page (not once a cell: a page has 300 cells)."""

    def __init__(self):
        from django.utils.translation import gettext as _

        from candidates.models import Nomination

        self.pending, self.late, self.reminded = _("待审"), _("逾期"), _("已催办%(n)s次")
        self.flagged, self.passed = _("有问题"), _("通过")
        self.proxy = escape(_("由组织办代为录入（附纸质回复）"))
        self.statuses = {value: escape(label) for value, label in Nomination._meta.get_field("status").flatchoices}


def _cell(request, today, labels: _Labels) -> str:
    """A department's cell (the request, or None where it has none)."""
    if request is None:
        return ""
    if not request.answered:
        late = f'<br><small class="rule-fail">{labels.late}</small>' if request.deadline < today else ""
        reminded = (f"<br><small>{escape(labels.reminded % {'n': request.reminder_count})}</small>"
                    if request.reminder_count else "")
        return f"{labels.pending}{late}{reminded}"
    if request.flagged:
        decision = f"（{escape(request.get_decision_display())}）" if request.decision else ""
        answer = f'<span class="rule-fail">{labels.flagged}</span>{decision}'
    else:
        answer = f'<span class="rule-pass">{labels.passed}</span>'
    if request.entered_by_office:
        signed = f"{labels.proxy}<br>{escape(request.paper_signer)}，{cn_month_day(request.paper_date)}"
    else:
        signer = request.signer_name
        signed = f"{escape(signer)}，{cn_month_day(request.signed_at)}" if signer else cn_month_day(request.signed_at)
    return f"{answer}<br><small>{signed}</small>"


@register.simple_tag
def ledger_body(rows, today, link, first):
    """The ledger's rows — (nomination, its request for each department or None) — numbered from `first`, built
    in Python: 25 rows × a dozen departments drawn through template tags were most of the page's time (issue 13).
    The same markup as the template it replaces (tests/vetting: the ledger's cells)."""
    labels = _Labels()
    sheet = reverse("vetting:sheet", args=[0]).replace("/0/", "/{}/")
    out = []
    for number, (n, cells) in enumerate(rows, start=int(first or 0)):
        name = escape(n.name)
        if link:
            name = f'<a href="{sheet.format(n.pk)}">{name}</a>'
        tds = "".join(f"<td>{_cell(r, today, labels)}</td>" for r in cells)
        status = labels.statuses.get(n.status, escape(n.status))
        out.append(f'    <tr data-nomination="{n.pk}">\n      <td>{number}</td>\n'
                   f'      <td class="text-nowrap name">{name}</td>\n'
                   f'      <td class="text-nowrap name">{escape(n.village.name)}</td>\n'
                   f'      {tds}\n      <td class="text-nowrap name">{status}</td>\n    </tr>\n')
    return mark_safe("".join(out))  # noqa: S308 — every value above is escaped

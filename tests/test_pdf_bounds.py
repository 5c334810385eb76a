"""Every PDF render is bounded in size and time (issue 10 §8): a 600,000-character 自荐表 statement once made its PDF
take 190 s. The 自荐表 refuses a statement over its limit; reserve.pdf refuses HTML above PDF_MAX_HTML_BYTES and
stops a render that runs past PDF_RENDER_TIMEOUT; a download so refused is answered with a Chinese message, not a
500."""

import time

import pytest
from django.urls import reverse

from candidates.models import AWARDS_MAX, NOTE_MAX, STATEMENT_MAX, FamilyMember, Nomination, ResumeEntry
from reserve.pdf import PdfRefused, html_to_pdf

from .candidates.test_views import form_data
from .factories import NominationFactory
from .helpers import page, pdf_text

TEXT = "政治立场坚定群众基础较好工作积极主动，"


def text(n: int) -> str:
    return (TEXT * (n // len(TEXT) + 1))[:n]


def doc(body: str) -> str:
    return f'<html lang="zh-Hans"><head><meta charset="utf-8"></head><body>{body}</body></html>'


# --------------------------------------------------------------------------- the 自荐表's limits

@pytest.mark.django_db
def test_a_statement_over_its_limit_is_refused_by_the_form(client, village_a_user, village_a, round_):
    client.force_login(village_a_user)
    response = client.post(reverse("candidates:nomination_new"),
                           form_data(village_a, round_, statement=text(STATEMENT_MAX + 1)))
    assert response.status_code == 200
    assert f"最多{STATEMENT_MAX}" in page(response).replace(" ", "") or str(STATEMENT_MAX) in str(
        response.context["form"].errors["statement"])
    assert not Nomination.objects.exists()
    ok = client.post(reverse("candidates:nomination_new"), form_data(village_a, round_, statement=text(STATEMENT_MAX)))
    assert ok.status_code == 302


# --------------------------------------------------------------------------- the render's bounds

def test_html_above_the_size_bound_is_refused_before_layout(settings):
    settings.PDF_MAX_HTML_BYTES = 50_000
    started = time.monotonic()
    with pytest.raises(PdfRefused) as refused:
        html_to_pdf(doc(f"<p>{text(20_000)}</p>"))  # 60 KB of UTF-8
    assert time.monotonic() - started < 1
    assert "无法生成PDF" in refused.value.message


def test_a_render_past_the_time_bound_is_stopped(settings):
    """A table cell of long text is laid out in quadratic time (measured: 2,000 characters, 12.7 s): it must be
    stopped at the bound, not allowed to run."""
    settings.PDF_RENDER_TIMEOUT = 1
    started = time.monotonic()
    with pytest.raises(PdfRefused) as refused:
        html_to_pdf(doc(f"<table><tr><th>x</th><td>{text(3000)}</td></tr></table>"))
    assert time.monotonic() - started < 5
    assert "超时" in refused.value.message


def test_a_render_within_the_bounds_is_the_same_pdf(settings):
    settings.PDF_RENDER_TIMEOUT = 30
    pdf = html_to_pdf(doc("<p>公示名单：张喆</p>"))
    assert pdf.startswith(b"%PDF-")
    assert "张喆" in pdf_text(pdf)


@pytest.mark.django_db
def test_a_refused_download_is_a_message_not_a_500(client, office, village_a, round_, settings):
    nomination = NominationFactory(round=round_, village=village_a, submitted=True)
    settings.PDF_MAX_HTML_BYTES = 1000
    client.force_login(office)
    response = client.get(reverse("candidates:nomination_form_pdf", args=[nomination.pk]))
    assert response.status_code == 503
    assert "文档内容过多，无法生成PDF" in page(response)


@pytest.mark.django_db
def test_the_largest_form_renders_within_the_default_bounds(client, office, village_a, round_):
    """A 自荐表 with every free-text field at its limit and every list full: the worst case the limits allow
    (measured about 5 s here) stays inside the default bounds."""
    import datetime

    nomination = NominationFactory(round=round_, village=village_a, submitted=True, statement=text(STATEMENT_MAX),
                                   awards_punishments=text(AWARDS_MAX), relaxation_category="special",
                                   relaxation_note=text(NOTE_MAX))
    for _i in range(30):
        ResumeEntry.objects.create(nomination=nomination, start=datetime.date(2015, 1, 1), unit_post=text(100))
        FamilyMember.objects.create(nomination=nomination, relation=text(20), name=text(30), work_unit_post=text(100))
    client.force_login(office)
    response = client.get(reverse("candidates:nomination_form_pdf", args=[nomination.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")

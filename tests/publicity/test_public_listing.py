"""How long the public page names people (issue 10 §15) and what it answers to a NUL byte (§9): after the period and
the round's days after it (Round.public_list_days) the page says only that the period has ended; a person withdrawn
or no longer proposed disappears from it at once; the office's own pages keep the whole notice. A NUL byte in a
public address or query string is a 404 or a plain form error, never a 500 (PostgreSQL cannot hold one)."""

import datetime

import pytest

from publicity.models import Objection
from publicity.services import mark_no_longer_proposed

from ..helpers import page, today
from .test_public import lodge, make_notice

pytestmark = pytest.mark.django_db


def notice_ended(office, round_, village, days_ago, people=("王建国", "李秀英")):
    end = today() - datetime.timedelta(days=days_ago)
    return make_notice(office, round_, village, start=end - datetime.timedelta(days=6), end=end, people=people)


@pytest.mark.parametrize("list_days, days_ago, listed", [
    (0, 0, True),  # the last day of the period
    (0, 1, False),  # the day after: no list
    (3, 3, True),
    (3, 4, False),
    (10, 9, True),
])
def test_the_list_is_public_until_the_rounds_days_after_the_end(client, office, round_, village_a, list_days,
                                                                days_ago, listed):
    round_.public_list_days = list_days
    round_.save()
    notice = notice_ended(office, round_, village_a, days_ago)
    response = client.get(notice.get_public_url())
    assert response.status_code == 200
    text = page(response)
    assert ("王建国" in text) == listed
    assert ("李秀英" in text) == listed
    assert ('name="content"' in text) == listed  # no objection form once the list is gone
    if not listed:
        assert "公示期已于" in text and "结束" in text
        # … and where a late complaint still goes (found by the new-user tryout: the page gave no contact)
        assert notice.contact_phone in text and notice.contact_address in text


def test_no_objection_is_taken_once_the_list_is_gone(client, office, round_, village_a):
    round_.public_list_days = 0
    round_.save()
    notice = notice_ended(office, round_, village_a, 2)
    response = lodge(client, notice, content="期满多日后的反映")
    assert response.status_code == 200
    assert "王建国" not in page(response)
    assert not Objection.objects.exists()


def test_the_default_keeps_the_list_a_few_days_not_forever(client, office, round_, village_a):
    assert round_.public_list_days == 3  # the model's default, a parameter of the round
    assert "王建国" not in page(client.get(notice_ended(office, round_, village_a, 30).get_public_url()))


def test_a_withdrawn_person_disappears_from_the_public_page(client, office, round_, village_a):
    notice = make_notice(office, round_, village_a, start=today() - datetime.timedelta(days=1),
                         end=today() + datetime.timedelta(days=4))
    gone = notice.entries.get(name="李秀英")
    mark_no_longer_proposed(gone.nomination, office, today())
    text = page(client.get(notice.get_public_url()))
    assert "王建国" in text
    assert "李秀英" not in text


def test_when_everyone_is_withdrawn_the_page_says_so_instead_of_an_empty_list(client, office, round_, village_a):
    """Found by the new-user tryout: "拟确定以下同志…现予以公示" stood above an empty table."""
    notice = make_notice(office, round_, village_a, start=today() - datetime.timedelta(days=1),
                         end=today() + datetime.timedelta(days=4))
    for entry in notice.entries.all():
        mark_no_longer_proposed(entry.nomination, office, today())
    text = page(client.get(notice.get_public_url()))
    assert 'id="no-one-listed"' in text and "公示名单中已无人选" in text
    assert "现予以公示" not in text and "<table" not in text
    assert 'id="not-accepting"' in text and 'name="content"' not in text


def test_the_offices_page_keeps_the_whole_notice(client, office, round_, village_a):
    round_.public_list_days = 0
    round_.save()
    notice = notice_ended(office, round_, village_a, 20)
    gone = notice.entries.get(name="李秀英")
    mark_no_longer_proposed(gone.nomination, office, today())
    client.force_login(office)
    text = page(client.get(notice.get_absolute_url()))
    assert "王建国" in text and "李秀英" in text


# --------------------------------------------------------------------------- §9 NUL bytes (PostgreSQL)

@pytest.mark.parametrize("path", [
    "/p/%00/",
    "/p/abc%00def/",
    "/p/{token}%00/",
    "/p/{token}/receipt/%00/",
    "/p/{token}/receipt/YY20260101-ABC%00/",
])
def test_a_nul_byte_in_a_public_address_is_a_404(client, office, round_, village_a, path):
    notice = make_notice(office, round_, village_a, start=today(), end=today() + datetime.timedelta(days=4))
    methods = (client.get,) if "receipt" in path else (client.get, client.post)  # a receipt is only read
    for method in methods:
        response = method(path.format(token=notice.token))
        assert response.status_code == 404, (method, response.status_code)
        assert "没有找到这份公示" in page(response)


def test_a_nul_byte_in_a_query_string_or_form_field_is_answered(client, office, round_, village_a):
    notice = make_notice(office, round_, village_a, start=today(), end=today() + datetime.timedelta(days=4))
    assert client.get(notice.get_public_url() + "?x=%00&page=%00").status_code == 200
    entry = notice.entries.first()
    for data in ({"content": "有\x00异议"}, {"content": "有异议", "name": "\x00"}, {"content": "有异议", "entry": "\x00"},
                 {"content": "有异议", "entry": f"{entry.pk}\x00"}, {"content": "有异议", "phone": "1\x00"}):
        response = lodge(client, notice, **data)
        assert response.status_code in (200, 302), data  # refused on the form, or taken without the NUL
    assert not any("\x00" in f"{o.content}{o.name}{o.phone}" for o in Objection.objects.all())


def test_the_days_are_a_parameter_the_office_sets_on_the_round(client, office, round_):
    from django.urls import reverse

    from ..reserve.test_views import round_post

    client.force_login(office)
    form = page(client.get(reverse("round_edit", args=[round_.pk])))
    assert 'name="public_list_days"' in form
    response = client.post(reverse("round_edit", args=[round_.pk]), round_post(round_, public_list_days="7"))
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.public_list_days == 7
    refused = client.post(reverse("round_edit", args=[round_.pk]), round_post(round_, public_list_days="31"))
    assert refused.status_code == 200
    round_.refresh_from_db()
    assert round_.public_list_days == 7

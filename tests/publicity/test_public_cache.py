"""The public notice page's cache (publicity.public_cache): a GET is rendered once per version of the notice and
then served from the cache with fewer queries; every change of what the page shows — a person withdrawn, a
correction of the notice, the day — gives another page at once; a notice gone, or past its listing, is never
served from the cache; and the objection form's CSRF token is each visitor's own."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from publicity import public_cache, services
from publicity.models import Notice, Objection
from tests.helpers import page as html
from tests.helpers import today
from tests.publicity.test_public import make_notice

TOKEN_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def notice(office, round_, village_a):
    return make_notice(office, round_, village_a, start=today() - datetime.timedelta(days=2),
                       end=today() + datetime.timedelta(days=3))


def get(client, notice):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(notice.get_public_url())
    return response, len(queries)


def tokens(response) -> list[str]:
    return TOKEN_INPUT.findall(html(response))


def test_the_second_request_is_served_from_the_cache_with_fewer_queries(notice):
    first, first_queries = get(Client(), notice)
    second, second_queries = get(Client(), notice)
    assert first.status_code == second.status_code == 200
    assert second_queries == 2  # the notice, and which of its people are withdrawn
    assert second_queries < first_queries
    assert cache.get(public_cache.page_key(notice, today())) is not None
    # The same page but for the visitor's token.
    assert TOKEN_INPUT.sub("", html(first)) == TOKEN_INPUT.sub("", html(second))
    assert "王建国" in html(second) and "李秀英" in html(second)


def test_each_visitor_gets_their_own_csrf_token_and_can_lodge_with_it(notice):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_one, page_two = first.get(notice.get_public_url()), second.get(notice.get_public_url())  # two: cached
    assert len(tokens(page_one)) == len(tokens(page_two)) == 1
    assert tokens(page_one) != tokens(page_two)
    assert public_cache.TOKEN_PLACEHOLDER not in html(page_two)
    assert "csrftoken" in page_two.cookies  # the visitor's cookie is set as an uncached page sets it
    response = second.post(notice.get_public_url(), {"content": "反映的具体问题", "entry": "", "name": "",
                                                      "phone": "", "csrfmiddlewaretoken": tokens(page_two)[0]})
    assert response.status_code == 302
    assert Objection.objects.filter(notice=notice).count() == 1


def test_a_post_is_never_answered_from_the_cache(client, notice):
    client.get(notice.get_public_url())
    response = client.post(notice.get_public_url(), {"content": "", "entry": "", "name": "", "phone": ""})
    assert response.status_code == 200
    assert "请填写反映的具体内容。" in html(response)


def test_a_withdrawn_person_leaves_the_page_at_once(client, notice, office):
    assert "李秀英" in html(client.get(notice.get_public_url()))
    withdrawn = notice.entries.get(name="李秀英")
    services.mark_no_longer_proposed(withdrawn.nomination, office, today())
    page = html(client.get(notice.get_public_url()))
    assert "李秀英" not in page  # neither listed nor offered in the form
    assert "王建国" in page


def test_with_everybody_withdrawn_the_cached_page_takes_no_objection(client, notice, office):
    client.get(notice.get_public_url())
    for entry in notice.entries.all():
        services.mark_no_longer_proposed(entry.nomination, office, today())
    client.get(notice.get_public_url())
    response, queries = get(client, notice)
    assert queries == 2
    assert 'id="not-accepting"' in html(response)
    assert not tokens(response)


def test_a_correction_of_the_notice_is_shown_at_once(client, notice):
    client.get(notice.get_public_url())
    Notice.objects.filter(pk=notice.pk).update(title="关于东山村村级后备干部人选的公示（更正）",
                                               body="更正后的正文。")
    page = html(client.get(notice.get_public_url()))
    assert "公示（更正）" in page and "更正后的正文。" in page


def test_a_notice_that_no_longer_exists_is_not_served_from_the_cache(client, notice):
    client.get(notice.get_public_url())
    key = public_cache.page_key(notice, today())
    assert cache.get(key) is not None
    Notice.objects.filter(pk=notice.pk).delete()
    response = client.get(notice.get_public_url())
    assert response.status_code == 404
    assert "王建国" not in html(response)


def test_past_its_listing_the_page_names_nobody_whatever_was_cached(client, notice, round_):
    client.get(notice.get_public_url())
    Notice.objects.filter(pk=notice.pk).update(
        start_date=today() - datetime.timedelta(days=round_.public_list_days + 20),
        end_date=today() - datetime.timedelta(days=round_.public_list_days + 10))
    response = client.get(notice.get_public_url())
    assert response.status_code == 200
    assert "公示名单不再在网上公开" in html(response)
    assert "王建国" not in html(response)


def test_the_key_changes_with_the_day_and_the_rounds_listing_days(notice, round_):
    key = public_cache.page_key(notice, today())
    assert public_cache.page_key(notice, today() + datetime.timedelta(days=1)) != key
    round_.public_list_days += 1
    assert public_cache.page_key(notice, today()) != key


def test_only_the_token_input_is_replaced(rf):
    placeholder_text = public_cache.TOKEN_PLACEHOLDER  # as a notice's text could hold it: escaped, not an input
    page = (f'<p>{placeholder_text}</p><input type="hidden" name="csrfmiddlewaretoken" '
            f'value="{public_cache.TOKEN_PLACEHOLDER}">')
    request = rf.get("/")
    served = public_cache.with_visitor_token(page, request)
    assert served.startswith(f"<p>{placeholder_text}</p>")
    assert public_cache.TOKEN_PLACEHOLDER not in served.split("</p>", 1)[1]
    assert public_cache.with_visitor_token(page + page.split("</p>")[1], request) is None  # two inputs: not served

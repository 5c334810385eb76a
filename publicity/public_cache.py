"""The public notice page, rendered once per version of the notice and kept in the shared cache.

A published notice changes rarely and its page is opened by everyone who scans the QR code on the paper notice:
the page (views_public.public_notice, a GET) is rendered once and its HTML kept in the cache (Redis in production,
CACHES) under a key that names everything the page shows — so a change is never served stale, because the changed
notice has another key:

- every stored field of the notice (a correction of its text, dates, contact … changes the key), and the round's
  days the list stays shown after the period (Round.public_list_days);
- which of its people are withdrawn (NoticeEntry.withdrawn_on set by a withdrawal or the committee's cancellation:
  the page lists only those still proposed, and the form offers only them) — read on every request, one query;
- the day (the page says "公示期内", "已结束" … from today's date), the language, and the address of the
  stylesheet (a new release with new static files renders anew).

The notice itself is read on every request too (publicity.selectors.public_notice_or_404): a notice that no longer
exists answers 404, and one whose list is no longer shown the short message, never a cached page.

The CSRF token of the objection form is the visitor's own: the cached HTML holds a placeholder in the token's
input, replaced on each request by this visitor's token (which also sets their CSRF cookie). Only the input's
exact text is replaced — `name="csrfmiddlewaretoken" value="…"`, with raw quotes that escaped text never has.
"""

import hashlib

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.utils import translation
from django.utils.html import format_html

from .models import Notice

CACHE_SECONDS = 24 * 3600  # the key changes with the day anyway
KEY_PREFIX = "publicity:public-notice"
TOKEN_PLACEHOLDER = "public-notice-csrf-token-placeholder"
_TOKEN_INPUT = 'name="csrfmiddlewaretoken" value="{}"'


def withdrawn_entries(notice) -> list[int]:
    """The ids of the notice's people no longer proposed (the one query a cached page costs)."""
    return list(notice.entries.filter(withdrawn_on__isnull=False).order_by("id").values_list("id", flat=True))


def page_key(notice, today) -> str:
    """The cache key of the notice's public page as it is today (see the module's docstring)."""
    parts = [getattr(notice, field.attname) for field in Notice._meta.concrete_fields]
    parts += [notice.round.public_list_days, withdrawn_entries(notice), today, translation.get_language(),
              static("css/public.css")]
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=16).hexdigest()
    return f"{KEY_PREFIX}:{notice.pk}:{digest}"


def token_context() -> dict:
    """The context that renders the placeholder where {% csrf_token %} puts the visitor's token."""
    return {"csrf_token": TOKEN_PLACEHOLDER}


def with_visitor_token(html: str, request) -> str | None:
    """The cached page with this visitor's CSRF token in the form (None: the page has no single token input)."""
    placeholder = format_html(_TOKEN_INPUT, TOKEN_PLACEHOLDER)
    count = html.count(placeholder)
    if count == 0:
        return html  # no form on the page (objections no longer taken)
    if count > 1:
        return None
    return html.replace(placeholder, format_html(_TOKEN_INPUT, get_token(request)))


def cached_page(key: str) -> str | None:
    return cache.get(key)


def keep_page(key: str, html: str) -> None:
    cache.set(key, html, CACHE_SECONDS)

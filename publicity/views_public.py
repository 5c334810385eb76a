"""The public notice page and its objection form: the system's only anonymous surface.

What these views may show is the notice as published (its text and the six fields of each person,
a snapshot in NoticeEntry) and, to the person who lodged an objection, its receipt number. Nothing
else: no objection's content, no objector's name or phone, nothing from the nomination or the
vetting. Everything is rendered through autoescaping templates; nothing typed in is HTML.

A GET of the notice page is served from the cache (publicity.public_cache: rendered once per version of the
notice, the visitor's CSRF token put in on each request). Writes go only through services.objection_lodge_public.
POSTs are throttled per client address (django-ratelimit, counters in the shared cache): at most 5 an hour
from one address, and at most 10 a day from one address to one notice. A throttled request is answered 429 and saves nothing.
"""

import functools

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from reserve.audit import client_address
from reserve.dates import cn_date
from reserve.exceptions import NotFound
from reserve.views_errors import too_many

from . import public_cache
from .forms_public import PublicObjectionForm
from .selectors import (
    proposed_entries,
    public_entries,
    public_list_shown,
    public_list_until,
    public_notice_or_404,
    public_receipt_or_404,
)
from .services import objection_lodge_public

# Throttle rates (django-ratelimit syntax).
RATE_PER_CLIENT = "5/h"  # POSTs from one address, all notices together
RATE_PER_CLIENT_NOTICE = "10/d"  # POSTs from one address to one notice
RATE_RECEIPT_LOOKUPS = "60/h"  # receipt pages opened from one address (receipt numbers are not guessable)

# A POST body larger than this is refused before it is parsed: the form's fields together are a few
# KB at most (2,000 characters of content, percent-encoded, is under 20 KB).
MAX_POST_BYTES = 64 * 1024

# Sent with every public page: they load nothing but the app's own stylesheets (and the small data:
# SVG icons inside Bootstrap: a select's arrow, the invalid-field mark), and no script at all.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def _client_notice_rate(group, request):
    return RATE_PER_CLIENT_NOTICE  # read on each request, so that a test may lower it


def _client_notice_key(group, request):
    """The rate-limit key of one client address on one notice. The address is the app's own
    (reserve.audit.client_address), as django-ratelimit's "ip" key reads it (RATELIMIT_IP_META_KEY;
    IPv6 grouped by /64)."""
    token = request.resolver_match.kwargs.get("token", "") if request.resolver_match else ""
    return f"{client_address(request, network=True)}|{token[:64]}"


def _public(view):
    """The headers every public page carries, and a bare 404 page (no app navigation)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except (Http404, NotFound):
            response = _message(request, _("页面不存在"), _("没有找到这份公示或受理回执，请核对网址或二维码。"),
                                status=404)
        response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        # No "Referrer-Policy: no-referrer" here: a browser then sends "Origin: null" with the form's
        # POST and Django's CSRF check refuses it. The project's "same-origin" keeps the receipt's
        # address from other sites all the same.
        # A page carries a CSRF token (and the receipt page a receipt): no shared cache may keep it.
        add_never_cache_headers(response)
        return response

    return login_not_required(wrapper)


def _render(request, template, context, status=200):
    return render(request, template, context, status=status)


def _message(request, title, message, *, status, back=None):
    return _render(request, "public_base.html",
                   {"page_title": title, "message": message, "back": back}, status=status)


def _state_text(notice) -> str:
    """The notice's status today, as the public page says it."""
    if notice.has_ended:
        return _("公示期已于%(d)s结束。") % {"d": cn_date(notice.end_date)}
    if notice.is_in_force:
        return _("公示期内（至%(d)s）。") % {"d": cn_date(notice.end_date)}
    return _("公示将于%(d)s开始。") % {"d": cn_date(notice.start_date)}


def _add_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@_public
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="ip", rate=RATE_PER_CLIENT, method="POST", block=False)
@ratelimit(key=_client_notice_key, rate=_client_notice_rate, method="POST", block=False)
def public_notice(request, token):
    notice = public_notice_or_404(token)
    today = timezone.localdate()
    if not public_list_shown(notice, today):
        # Past the period and the round's days after it: the page no longer names anybody nor takes objections
        # (nothing posted is saved); the office's own pages keep the whole notice.
        return _message(request, notice.title, _("公示期已于%(d)s结束，公示名单不再在网上公开。如需反映情况，请致电%(p)s或"
                                                 "来信来访（%(a)s）。") % {
            "d": cn_date(notice.end_date), "p": notice.contact_phone, "a": notice.contact_address}, status=200)
    if request.method != "POST":
        return _notice_page(request, notice, today)
    if getattr(request, "limited", False):
        return too_many(request, back=notice.get_public_url())
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_POST_BYTES:
        return _message(request, _("提交内容过长"), _("提交的内容过长，没有保存。反映内容请不超过2000字。"),
                        status=413, back=notice.get_public_url())
    context = _notice_context(notice, request.POST)
    form = context["form"]
    if not context["accepting"]:
        form.is_valid()
        form.add_error(None, _("本公示的人选均已不再作为拟确定人选，不再受理反映。"))
    elif form.is_valid():
        data = form.cleaned_data
        try:
            objection = objection_lodge_public(notice=notice, content=data["content"], name=data["name"],
                                               phone=data["phone"], entry=data["entry"])
        except ValidationError as e:
            _add_errors(form, e)
        else:
            # The fragment replaces the form's "#objection", which the browser would otherwise keep.
            return redirect(reverse("publicity:public_receipt", args=[notice.token, objection.receipt])
                            + "#receipt")
    return _render(request, "publicity/public_notice.html", context)


def _notice_context(notice, data=None) -> dict:
    entries = public_entries(notice)  # those still proposed: the page lists them, and objections name one of them
    return {
        "notice": notice,
        "entries": entries,
        "listed_until": public_list_until(notice),
        "state_text": _state_text(notice),
        "form": PublicObjectionForm(data, notice=notice, entries=proposed_entries(notice)),
        "accepting": bool(entries),
        "page_title": notice.title,
    }


def _notice_page(request, notice, today):
    """The page as a GET shows it: rendered once per version of the notice and kept in the cache
    (publicity.public_cache), with this visitor's own CSRF token put in its form."""
    key = public_cache.page_key(notice, today)
    html = public_cache.cached_page(key)
    if html is None:
        html = render_to_string("publicity/public_notice.html",
                                {**_notice_context(notice), **public_cache.token_context()}, request=request)
        public_cache.keep_page(key, html)
    page = public_cache.with_visitor_token(html, request)
    if page is None:  # never expected: the page as before, uncached
        return _render(request, "publicity/public_notice.html", _notice_context(notice))
    return HttpResponse(page)


@_public
@require_http_methods(["GET", "HEAD"])
@ratelimit(key="ip", rate=RATE_RECEIPT_LOOKUPS, method="GET", block=False)
def public_receipt(request, token, receipt):
    if getattr(request, "limited", False):
        return too_many(request)
    notice = public_notice_or_404(token)
    objection = public_receipt_or_404(notice, receipt)
    response = _render(request, "publicity/public_receipt.html", {
        "notice": notice,
        "receipt": objection.receipt,
        "received_at": objection.received_at,
        "is_late": objection.is_late,
        "is_early": objection.is_early,
        "concluded": not objection.is_open,
        "page_title": _("受理回执"),
    })
    response["Cache-Control"] = "no-store"
    return response

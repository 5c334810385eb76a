"""Answers that are not pages of a stage: the 429 of a throttled public form."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _


def too_many(request, back=None):
    """429 on the standalone public page layout: nothing was saved, try later or call."""
    return render(request, "public_base.html", {
        "page_title": _("提交过于频繁"),
        "message": _("您提交得太频繁了，本次提交没有保存。请一小时后再试；如情况紧急，请按公示中的联系电话来电反映。"),
        "back": back,
    }, status=429)


@login_not_required
def throttled(request, exception):
    """RATELIMIT_VIEW: what django-ratelimit's middleware answers for a blocked request."""
    response = too_many(request)
    response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
    add_never_cache_headers(response)
    return response

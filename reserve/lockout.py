"""The sign-in lockout's counting (django-axes' database handler, AXES_HANDLER): two limits, not one.

django-axes compares one number with one limit (AXES_FAILURE_LIMIT). Its database handler sums the recent
failures of each lockout parameter (the account; the client address) and takes the larger sum, so an address is
locked after as few failures as an account. A town office reaches the server from one address (its network's),
where five typing mistakes by different clerks would lock everybody out for half an hour. Here:

- an account is locked after AXES_FAILURE_LIMIT failures (5) from any addresses — a guess at one password;
- an address is locked after ADDRESS_FAILURE_LIMIT failures (20) on any accounts — guessing across accounts.

Both are counted within AXES_COOLOFF_TIME, from the same rows axes keeps, and the address is the app's one client
address (reserve.audit.client_address, AXES_CLIENT_IP_CALLABLE). The address's count is scaled to the account's
limit, so that axes' own comparison (failures >= AXES_FAILURE_LIMIT) locks at whichever limit is reached first.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

DEFAULT_ADDRESS_FAILURE_LIMIT = 20


def address_failure_limit() -> int:
    return getattr(settings, "ADDRESS_FAILURE_LIMIT", DEFAULT_ADDRESS_FAILURE_LIMIT)


def _failures(**filters) -> int:
    return AccessAttempt.objects.filter(**filters).aggregate(n=Sum("failures_since_start"))["n"] or 0


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        recent = {"attempt_time__gte": get_cool_off_threshold(request)}
        username = get_client_username(request, credentials)
        by_account = _failures(username=username, **recent) if username is not None else 0
        address = getattr(request, "axes_ip_address", None)
        by_address = _failures(ip_address=address, **recent) if address else 0
        limit = get_failure_limit(request, credentials)
        return max(by_account, by_address * limit // address_failure_limit())

import datetime

import pytest

from tests.factories import RoundFactory
from tests.helpers import today


@pytest.fixture
def round_(town):
    """An open round in its 组织考察 window today (the inspection's moves are made within it); its nomination
    began ten days ago, as RoundFactory's."""
    d = today()
    return RoundFactory(town=town, nomination_start=d - datetime.timedelta(days=10),
                        nomination_end=d - datetime.timedelta(days=8), review_start=d - datetime.timedelta(days=7),
                        review_end=d - datetime.timedelta(days=4), inspection_start=d - datetime.timedelta(days=3),
                        inspection_end=d + datetime.timedelta(days=10), publicity_start=d + datetime.timedelta(days=11))

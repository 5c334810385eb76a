"""A reason a rule requires is not given by invisible characters (found by the attack on issue 9: a zero-width
space passed every required-reason check)."""

import pytest

from candidates.models import Nomination, Status
from candidates.workflow import NOMINATION_WORKFLOW
from reserve.exceptions import ActionRefused
from reserve.text import clean_text
from tests.factories import NominationFactory

INVISIBLE = ["", "   ", "\u3000", "\n\t", "\u200b", "\u200b\u200c\u200d", "\ufeff", "\u2060 \u200b"]


@pytest.mark.parametrize("text", INVISIBLE)
def test_invisible_text_is_no_text(text):
    assert clean_text(text) == ""


@pytest.mark.parametrize(("text", "kept"), [("理由", "理由"), (" 理由\u200b ", "理由"), ("a\u200bb", "ab"), (None, "")])
def test_visible_text_is_kept_without_the_invisible_characters(text, kept):
    assert clean_text(text) == kept


@pytest.mark.parametrize("text", INVISIBLE)
def test_a_required_reason_made_of_invisible_characters_is_refused(office, round_, village_a, text):
    nomination = NominationFactory(round=round_, village=village_a, submitted=True)
    with pytest.raises(ActionRefused):
        NOMINATION_WORKFLOW.perform(actor=office, pk=nomination.pk, action="return", reason=text)
    assert Nomination.objects.get(pk=nomination.pk).status == Status.SUBMITTED


@pytest.mark.parametrize("text", INVISIBLE)
def test_an_override_made_of_invisible_characters_is_refused(office, town, text):
    import datetime

    from tests.factories import RoundFactory

    today = datetime.date(2026, 6, 15)
    round_ = RoundFactory(town=town, nomination_start=today - datetime.timedelta(days=30),
                          nomination_end=today - datetime.timedelta(days=20),
                          review_start=today - datetime.timedelta(days=19), review_end=today - datetime.timedelta(days=1),
                          inspection_start=today, inspection_end=today + datetime.timedelta(days=9),
                          publicity_start=today + datetime.timedelta(days=10))
    nomination = NominationFactory(round=round_, submitted=True)
    with pytest.raises(ActionRefused):
        NOMINATION_WORKFLOW.perform(actor=office, pk=nomination.pk, action="accept", today=today, override=text)

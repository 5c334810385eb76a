"""The arithmetic of a 民主测评 (vetting/appraisal.py): the tally check as a property over generated ballots,
the pass rule in exact integers (no float at the 2/3 boundary), and the wording of the record."""

from fractions import Fraction
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from inspection.appraisal import Result, check_tally
from tests.helpers import examples

OPTIONS = ("优秀", "称职", "基本称职", "不称职")
PROPERTY = settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def rules(pass_=(2, 3), turnout=(2, 3)):
    """The round's parameters Result.passes reads (default: 2/3 and 2/3, as on a new round)."""
    return SimpleNamespace(appraisal_pass_numerator=pass_[0], appraisal_pass_denominator=pass_[1],
                           appraisal_turnout_numerator=turnout[0], appraisal_turnout_denominator=turnout[1])


def result(*, entitled, returned, counts, issued=None, valid=None, pass_options=2, options=OPTIONS):
    return Result(entitled=entitled, issued=returned if issued is None else issued, returned=returned,
                  valid=sum(counts) if valid is None else valid, counts=tuple(counts), options=tuple(options),
                  pass_options=pass_options)


# --------------------------------------------------------------------------- check_tally


def tally_is_consistent(issued, returned, valid, counts, entitled) -> bool:
    return (
        all(n >= 0 for n in (issued, returned, valid, *counts))
        and valid <= returned <= issued
        and (entitled is None or issued <= entitled)
        and sum(counts) == valid
    )


@st.composite
def consistent_tallies(draw):
    """A tally that adds up: counts split the valid ballots, valid ≤ returned ≤ issued ≤ entitled."""
    counts = draw(st.lists(st.integers(0, 40), min_size=1, max_size=5))
    valid = sum(counts)
    returned = valid + draw(st.integers(0, 10))
    issued = returned + draw(st.integers(0, 10))
    entitled = draw(st.one_of(st.none(), st.integers(issued, issued + 20)))
    return issued, returned, valid, counts, entitled


@st.composite
def nudged_tallies(draw):
    """A consistent tally with one number moved by a small amount (often, but not always, breaking it)."""
    issued, returned, valid, counts, entitled = draw(consistent_tallies())
    which = draw(st.sampled_from(["issued", "returned", "valid", "count", "entitled"]))
    delta = draw(st.integers(-3, 3))
    if which == "issued":
        issued += delta
    elif which == "returned":
        returned += delta
    elif which == "valid":
        valid += delta
    elif which == "count":
        i = draw(st.integers(0, len(counts) - 1))
        counts = [c + delta if j == i else c for j, c in enumerate(counts)]
    elif entitled is not None:
        entitled += delta
    return issued, returned, valid, counts, entitled


arbitrary_tallies = st.tuples(
    st.integers(-5, 60), st.integers(-5, 60), st.integers(-5, 60),
    st.lists(st.integers(-5, 30), min_size=0, max_size=5), st.one_of(st.none(), st.integers(-5, 60)),
)


@PROPERTY
@given(st.one_of(consistent_tallies(), nudged_tallies(), arbitrary_tallies))
@example((30, 30, 30, [20, 10, 0, 0], 30))  # everything at its bound
@example((0, 0, 0, [0, 0, 0, 0], 0))  # nobody came
@example((0, 0, 0, [], None))
@example((30, 30, 30, [20, 10, 0, 0], 29))  # one more issued than entitled
@example((30, 31, 30, [20, 10], None))  # one more returned than issued
@example((30, 30, 31, [21, 10], None))  # one more valid than returned
@example((30, 30, 30, [20, 9], None))  # counts one short of valid
@example((30, 30, 30, [21, 10, -1], None))  # a negative count that sums right
@example((-1, -1, -1, [-1], None))
def test_check_tally_accepts_exactly_the_consistent_tallies(tally):
    issued, returned, valid, counts, entitled = tally
    if tally_is_consistent(issued, returned, valid, counts, entitled):
        check_tally(issued=issued, returned=returned, valid=valid, counts=counts, entitled=entitled)
    else:
        with pytest.raises(ValidationError) as exc:
            check_tally(issued=issued, returned=returned, valid=valid, counts=counts, entitled=entitled)
        assert exc.value.messages and all(m.strip() for m in exc.value.messages)


def test_check_tally_names_the_numbers_that_disagree():
    with pytest.raises(ValidationError) as exc:
        check_tally(issued=31, returned=32, valid=30, counts=[20, 9], entitled=30)
    text = " ".join(exc.value.messages)
    assert "发出票数（31）多于应参加人数（30）" in text
    assert "收回票数（32）多于发出票数（31）" in text
    assert "各选项票数之和（29）不等于有效票数（30）" in text


# --------------------------------------------------------------------------- Result.passes


def test_exactly_two_thirds_passes_with_the_default_rule():
    assert result(entitled=30, returned=30, counts=[12, 8, 6, 4]).passes(rules()) is True  # 20 of 30


def test_one_vote_under_two_thirds_fails():
    assert result(entitled=30, returned=30, counts=[12, 7, 7, 4]).passes(rules()) is False  # 19 of 30


def test_turnout_of_exactly_two_thirds_passes_and_one_less_fails():
    assert result(entitled=30, returned=20, counts=[15, 5, 0, 0]).passes(rules()) is True
    assert result(entitled=30, returned=19, counts=[15, 4, 0, 0]).passes(rules()) is False


def test_boundaries_where_floats_would_round_wrongly():
    # Exactly 2/3 approving and exactly 2/3 turnout, at sizes where a float ratio is not exact.
    for n in (3, 30, 300, 3000, 30000, 3 * 10**9):
        two_thirds = 2 * n // 3
        on_the_line = result(entitled=n, returned=n, counts=[two_thirds, 0, 0, n - two_thirds])
        assert on_the_line.passes(rules()) is True, n
        one_short = result(entitled=n, returned=n, counts=[two_thirds - 1, 0, 0, n - two_thirds + 1])
        assert one_short.passes(rules()) is False, n
        turnout_on_the_line = result(entitled=n, returned=two_thirds, counts=[two_thirds, 0, 0, 0])
        assert turnout_on_the_line.passes(rules()) is True, n
        turnout_short = result(entitled=n, returned=two_thirds - 1, counts=[two_thirds - 1, 0, 0, 0])
        assert turnout_short.passes(rules()) is False, n
    # A rule whose float is not exact: 7/10 (0.7 * 10 = 7.000000000000001 in floats).
    assert result(entitled=10, returned=10, counts=[7, 0, 3, 0]).passes(rules(pass_=(7, 10))) is True
    assert result(entitled=10, returned=10, counts=[6, 0, 4, 0]).passes(rules(pass_=(7, 10))) is False


def test_nothing_valid_or_nobody_entitled_never_passes():
    assert result(entitled=30, returned=30, counts=[0, 0, 30, 0], valid=0).passes(rules()) is False
    assert result(entitled=0, returned=0, counts=[0, 0, 0, 0]).passes(rules()) is False


def test_only_the_first_pass_options_count_as_approving():
    r = result(entitled=30, returned=30, counts=[10, 9, 11, 0], pass_options=2)
    assert r.approving == 19 and r.passes(rules()) is False
    r = result(entitled=30, returned=30, counts=[10, 9, 11, 0], pass_options=3)
    assert r.approving == 30 and r.passes(rules()) is True


@PROPERTY
@given(
    counts=st.lists(st.integers(0, 200), min_size=2, max_size=5),
    extra_returned=st.integers(0, 50),
    extra_entitled=st.integers(0, 300),
    pass_options=st.integers(1, 4),
    pass_=st.tuples(st.integers(0, 20), st.integers(1, 20)),
    turnout=st.tuples(st.integers(0, 20), st.integers(1, 20)),
)
def test_passes_is_the_exact_rational_comparison(counts, extra_returned, extra_entitled, pass_options, pass_,
                                                 turnout):
    pass_options = min(pass_options, len(counts) - 1)
    valid = sum(counts)
    returned = valid + extra_returned
    entitled = returned + extra_entitled
    r = result(entitled=entitled, returned=returned, counts=counts, pass_options=pass_options,
               options=OPTIONS + ("弃权",))
    expected = (
        valid > 0 and entitled > 0
        and Fraction(sum(counts[:pass_options]), valid) >= Fraction(*pass_)
        and Fraction(returned, entitled) >= Fraction(*turnout)
    )
    assert r.passes(rules(pass_=pass_, turnout=turnout)) is expected
    if valid:
        assert r.approval == Fraction(sum(counts[:pass_options]), valid)
    if entitled:
        assert r.turnout == Fraction(returned, entitled)


# --------------------------------------------------------------------------- wording


def test_wording_states_the_ballots_and_the_percentage():
    r = result(entitled=35, issued=32, returned=31, valid=30, counts=[12, 8, 6, 4])
    text = r.wording()
    assert "应参加35人" in text
    assert "共发票32张" in text
    assert "收回31张" in text
    assert "有效票30张" in text
    assert "优秀12票、称职8票、基本称职6票、不称职4票" in text
    assert "优秀+称职合计20票" in text
    assert "66.7%" in text


def test_wording_with_no_valid_ballots_has_no_percentage():
    r = result(entitled=10, issued=5, returned=5, valid=0, counts=[0, 0, 0, 0])
    text = r.wording()
    assert "共发票5张" in text and "收回5张" in text and "有效票0张" in text
    assert "—" in text and "%" not in text


@PROPERTY
@given(counts=st.lists(st.integers(0, 100), min_size=2, max_size=4).filter(lambda c: sum(c) > 0))
def test_wording_percentage_is_the_approving_share(counts):
    r = result(entitled=sum(counts) + 5, returned=sum(counts) + 2, counts=counts, pass_options=1,
               options=OPTIONS[: len(counts)])
    text = r.wording()
    assert "共发票" in text and "收回" in text and "有效票" in text
    share = r.share(r.approving)
    assert share.endswith("%")
    assert abs(float(share[:-1]) - 100 * counts[0] / sum(counts)) <= 0.05 + 1e-9
    assert f"占有效票的{share}" in text

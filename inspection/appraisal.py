"""The arithmetic of a democratic appraisal (民主测评): one place checks a tally and computes rates."""

from dataclasses import dataclass
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def check_tally(*, issued: int, returned: int, valid: int, counts: list[int], entitled: int | None = None) -> None:
    """Refuse a tally that does not add up, with a message saying which numbers disagree."""
    errors = []
    if any(n < 0 for n in (issued, returned, valid, *counts)):
        errors.append(_("票数不能为负数。"))
    if entitled is not None and issued > entitled:
        errors.append(_("发出票数（%(i)d）多于应参加人数（%(e)d）。") % {"i": issued, "e": entitled})
    if returned > issued:
        errors.append(_("收回票数（%(r)d）多于发出票数（%(i)d）。") % {"r": returned, "i": issued})
    if valid > returned:
        errors.append(_("有效票数（%(v)d）多于收回票数（%(r)d）。") % {"v": valid, "r": returned})
    if sum(counts) != valid:
        errors.append(_("各选项票数之和（%(s)d）不等于有效票数（%(v)d）。") % {"s": sum(counts), "v": valid})
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class Result:
    entitled: int
    issued: int
    returned: int
    valid: int
    counts: tuple[int, ...]
    options: tuple[str, ...]
    pass_options: int

    @property
    def approving(self) -> int:
        return sum(self.counts[: self.pass_options])

    @property
    def approval(self) -> Fraction | None:
        return Fraction(self.approving, self.valid) if self.valid else None

    @property
    def turnout(self) -> Fraction | None:
        return Fraction(self.returned, self.entitled) if self.entitled else None

    def passes(self, round_) -> bool:
        """优秀+称职 ≥ the round's share of valid votes, and ballots returned ≥ its share of those entitled."""
        if not self.valid or not self.entitled:
            return False
        approval_ok = self.approving * round_.appraisal_pass_denominator >= round_.appraisal_pass_numerator * self.valid
        turnout_ok = self.returned * round_.appraisal_turnout_denominator >= (
            round_.appraisal_turnout_numerator * self.entitled
        )
        return approval_ok and turnout_ok

    def share(self, count: int) -> str:
        return percent(Fraction(count, self.valid)) if self.valid else "—"

    def wording(self) -> str:
        """The standard tally sentence of a 测评 record."""
        parts = "、".join(f"{o}{c}票" for o, c in zip(self.options, self.counts, strict=False))
        return _("应参加%(e)d人，共发票%(i)d张，收回%(r)d张，其中有效票%(v)d张。%(p)s；%(a)s合计%(n)d票，占有效票的%(s)s。") % {
            "e": self.entitled, "i": self.issued, "r": self.returned, "v": self.valid, "p": parts,
            "a": "+".join(self.options[: self.pass_options]), "n": self.approving,
            "s": self.share(self.approving),
        }


def percent(f: Fraction) -> str:
    return f"{float(f) * 100:.1f}%"


def combine(tallies, session, categories) -> Result:
    """Add up the tallies of one nomination in one session.

    Turnout is measured against everyone entitled in every voter category of the session, so a
    result read before all categories are recorded cannot pass on the few recorded so far.
    """
    width = len(session.options)
    counts = [0] * width
    entitled = sum(session.entitled(c) for c in categories)
    issued = returned = valid = 0
    for t in tallies:
        issued += t.issued
        returned += t.returned
        valid += t.valid
        for i, c in enumerate(t.counts[:width]):
            counts[i] += c
    return Result(entitled=entitled, issued=issued, returned=returned, valid=valid, counts=tuple(counts),
                  options=tuple(session.options), pass_options=session.pass_options)

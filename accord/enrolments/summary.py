"""Where a case is, in words, for the enrolment page: its state, what comes next and who it
waits on, read from the process declaration. An employer reads it without the unions' inner
workings (no NEM, no partner unions): to them those steps are "the unions"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from accord.accounts.models import Role

from . import rules
from .models import Enrolment
from .notifications import is_pending, missing_roles
from .process import State, task_steps_from

if TYPE_CHECKING:
    from accord.accounts.rules import AnyUser

# The people a step waits on, as the employer knows them.
EMPLOYER_WORDS = {
    Role.LOCAL_SECRETARY: "the local union secretary",
    Role.WORKPLACE_REP: "the union representative",
    Role.EMPLOYER_CONTACT: "you",
    Role.NATIONAL_OFFICER: "the union's national office",
}
THE_UNIONS = "the unions"


@dataclass
class WhereNow:
    now: str
    next_steps: list[str]
    waits_on: list[str]


def where_now(user: AnyUser, enrolment: Enrolment) -> WhereNow:
    now = rules.state_label(user, enrolment)
    if enrolment.is_closed:
        return WhereNow(now, [], ["Nobody: the case is closed."])
    if enrolment.state == State.LISTED:
        return WhereNow(
            now,
            ["A review at the end of each year's cycle, agreed by both sides."],
            ["Both sides, at each review."],
        )
    steps = [s for s in task_steps_from(enrolment.state_enum) if is_pending(s, enrolment)]
    if rules.can_see_internal(user, enrolment):
        waits = []
        for s, people in zip(steps, rules.recipients_for_each(steps, enrolment), strict=True):
            names = ", ".join(p.get_full_name() for p in people)
            waits.append(
                f"{s.label}: {names}"
                if people
                else f"{s.label}: no {missing_roles(s)} covers this employer, so a national "
                "officer takes it up"
            )
        return WhereNow(now, [s.label for s in steps], waits)
    shown = [s for s in steps if not s.internal]
    if not shown:
        # Only the unions' own steps remain: their deliberation, or the partner unions'
        # co-signatures of a commitment that the employer and the secretary have confirmed.
        together = (
            "The unions confirm the commitment."
            if enrolment.state == State.COMMITMENT_DRAFTED
            else "The unions consider the proposal together."
        )
        return WhereNow(now, [together], [THE_UNIONS])
    who = sorted({EMPLOYER_WORDS.get(Role(role), THE_UNIONS) for s in shown for role in s.roles})
    return WhereNow(now, [s.label for s in shown], [w[0].upper() + w[1:] for w in who])

"""Concerns about a member: raising (signed in, or by the public with a confirmed address),
putting to the employer, the response, the officers' decision, and one appeal.

`STEPS` declares each step once: the states it may be taken from and the state it reaches.
Every step is logged on the concern (`ConcernEvent`) and in the audit trail, in the concern's
own stream: the member's timeline, which reps and secretaries read, never shows a concern.
"""

from __future__ import annotations

from .deciding import (
    appeal,
    appeal_open_until,
    decide,
    decide_appeal,
    may_appeal,
    put_to_employer,
    respond,
)
from .raising import (
    check_rate,
    confirm,
    expire_unconfirmed,
    from_token,
    link_token,
    link_url,
    raise_concern,
)
from .steps import (
    REMEDY_ROWS,
    STEPS,
    Step,
    appeal_days,
    confirm_days,
    employer_contacts,
    officers,
    response_days,
)

__all__ = [
    "REMEDY_ROWS",
    "STEPS",
    "Step",
    "appeal",
    "appeal_days",
    "appeal_open_until",
    "check_rate",
    "confirm",
    "confirm_days",
    "decide",
    "decide_appeal",
    "employer_contacts",
    "expire_unconfirmed",
    "from_token",
    "link_token",
    "link_url",
    "may_appeal",
    "officers",
    "put_to_employer",
    "raise_concern",
    "respond",
    "response_days",
]

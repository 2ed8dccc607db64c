"""Signals that let a lower floor say what changed without importing the floors above it.

Whatever shows a derived copy of these records (the public register, caches) listens here.
Every door that changes them sends the signal, bulk writes included, inside the transaction
that made the change, so a listener's own writes commit or roll back with it.
"""

from __future__ import annotations

from django.dispatch import Signal

# sender: the module or model class making the change; employer_ids: a collection of ids.
employers_changed = Signal()

# sender: the module or model class making the change; membership_ids: a collection of ids.
memberships_changed = Signal()

# sender: the module making the change; employer_ids: the employers whose public figures (tables
# marked public, or no longer) changed.
public_figures_changed = Signal()

"""Keeping the register's rows in step with the records they show.

Each receiver runs inside the transaction of the change it hears about, so the rows and the
register's version commit or roll back with it. Saves and deletes are heard through Django's
model signals; bulk writes (merges, imports) through the signals of `accord.core.signals`,
which the code making them sends with the ids it changed.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accord.core.signals import employers_changed, memberships_changed, public_figures_changed
from accord.membership.models import Cycle, Membership, Review
from accord.organisations.models import Employer, LocalAuthority, Region
from accord.schemes.models import Scheme

from . import entries
from .models import RegisterEntry


@receiver(memberships_changed)
def _memberships_changed(sender: Any, membership_ids: Any, **kwargs: Any) -> None:
    entries.refresh(membership_ids)


@receiver(employers_changed)
def _employers_changed(sender: Any, employer_ids: Any, **kwargs: Any) -> None:
    entries.refresh(entries.memberships_of_employers(employer_ids))


@receiver(public_figures_changed)
def _public_figures_changed(sender: Any, employer_ids: Any, **kwargs: Any) -> None:
    # The verification pages show an employer's tables marked public: cached copies go.
    entries.bump()


@receiver(post_save, sender=Membership)
def _membership_saved(sender: Any, instance: Membership, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        entries.refresh([instance.pk])


@receiver(post_delete, sender=Membership)
def _membership_deleted(sender: Any, instance: Membership, **kwargs: Any) -> None:
    # Its row went with it (a cascade), unseen by `refresh`: the register changed all the same.
    entries.bump()


@receiver(post_save, sender=Employer)
def _employer_saved(sender: Any, instance: Employer, raw: bool = False, **kwargs: Any) -> None:
    # A new employer has no membership yet: imports create thousands.
    if not raw and not kwargs.get("created"):
        entries.refresh(entries.memberships_of_employers([instance.pk]))


def _on_register(**match: Any) -> set[int]:
    return set(RegisterEntry.objects.filter(**match).values_list("pk", flat=True))


def _refresh_area(row_field: str, employer_path: str, pk: int) -> None:
    """The rows that name an area, and the memberships of the employers now in it."""
    inside = Membership.objects.filter(**{employer_path: pk}).values_list("pk", flat=True)
    entries.refresh(_on_register(**{row_field: pk}) | set(inside))


@receiver(post_save, sender=LocalAuthority)
@receiver(post_delete, sender=LocalAuthority)
def _authority_saved(sender: Any, instance: LocalAuthority, raw: bool = False, **kw: Any) -> None:
    if not raw:
        _refresh_area("local_authority_id", "employer__local_authority_id", instance.pk)


@receiver(post_save, sender=Region)
@receiver(post_delete, sender=Region)
def _region_saved(sender: Any, instance: Region, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _refresh_area("region_id", "employer__local_authority__region_id", instance.pk)


@receiver(post_save, sender=Scheme)
def _scheme_saved(sender: Any, instance: Scheme, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        entries.refresh(_on_register(scheme_id=instance.pk))


def _refresh_cycle(cycle_id: int) -> None:
    """The memberships whose principles met come from this cycle's enrolment."""
    pairs = Cycle.objects.filter(pk=cycle_id).values_list(
        "enrolment__employer_id", "enrolment__scheme_id"
    )
    for employer_id, scheme_id in pairs:
        entries.refresh(
            Membership.objects.filter(employer_id=employer_id, scheme_id=scheme_id).values_list(
                "pk", flat=True
            )
        )


@receiver(post_save, sender=Review)
@receiver(post_delete, sender=Review)
def _review_saved(sender: Any, instance: Review, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _refresh_cycle(instance.cycle_id)


@receiver(post_save, sender=Cycle)
def _cycle_saved(sender: Any, instance: Cycle, raw: bool = False, **kwargs: Any) -> None:
    # Only a cycle with a met review counts (its principle could have been changed).
    if not raw and Review.objects.met().filter(cycle_id=instance.pk).exists():
        _refresh_cycle(instance.pk)

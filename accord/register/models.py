"""The register as the public pages read it: one row per membership, kept up to date on change.

The pages, search, filters, verification page and open data read only these rows, never the
joins across memberships, employers, areas and reviews that they are made from (`entries.py`
makes them and rewrites them when one of those records changes). Nothing personal is copied.
"""

from __future__ import annotations

from django.db import models

from accord.membership.models import Membership, MembershipStatus
from accord.organisations.models import EmployerKind


class RegisterEntry(models.Model):
    # Plain ids, not foreign keys, for the employer, areas and scheme: merging two employers or
    # areas moves every foreign key pointing at them, and these rows are rewritten instead.
    membership = models.OneToOneField(
        Membership, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    reference = models.CharField(max_length=12, unique=True)
    # Members, suspended and lapsed members are listed; a withdrawn one keeps only its
    # verification page.
    listed = models.BooleanField()
    employer_id = models.BigIntegerField(db_index=True)
    employer_name = models.CharField(max_length=200)
    employer_kind = models.CharField(max_length=20, choices=EmployerKind.choices)
    urn = models.CharField(max_length=10, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    local_authority_id = models.BigIntegerField(null=True)
    local_authority_name = models.CharField(max_length=100, blank=True)
    region_id = models.BigIntegerField(null=True)
    region_name = models.CharField(max_length=100, blank=True)
    scheme_id = models.BigIntegerField()
    scheme_slug = models.SlugField()
    scheme_name = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=MembershipStatus.choices)
    member_since = models.DateField()
    status_since = models.DateField()
    # Principle numbers, ascending, separated by spaces ("1 3 4").
    met_principles = models.CharField(max_length=100, blank=True)
    # The employer's name and URN in lower case without accents: what search matches words in.
    search_text = models.TextField()

    class Meta:
        ordering = ["employer_name", "membership"]
        verbose_name_plural = "register entries"
        # Every list is read in (name, id) order from one of these, a page at a time. Partial
        # (listed rows only): SQLite uses an index for the bare boolean `WHERE listed` only
        # when the index has that condition.
        indexes = [
            models.Index(
                fields=[*key, "employer_name", "membership"],
                condition=models.Q(listed=True),
                name=f"register_{name}",
            )
            for name, key in [
                ("list", []),
                ("by_authority", ["local_authority_id"]),
                ("by_region", ["region_id"]),
                ("by_kind", ["employer_kind"]),
            ]
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.employer_name}"

    @property
    def is_member(self) -> bool:
        return self.status == MembershipStatus.ACTIVE

    @property
    def principles_met(self) -> list[int]:
        return [int(n) for n in self.met_principles.split()]


class RegisterVersion(models.Model):
    """One row, changed in the same transaction as any change to the register's rows: cached
    pages are stored under its stamp, and it is the ETag and Last-Modified of every page.

    The stamp is random rather than a counter so that a rolled-back change can never hand out
    a stamp again for different rows."""

    stamp = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.stamp} ({self.changed_at:%Y-%m-%d %H:%M:%S})"

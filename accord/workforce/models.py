"""Workforce figures: tables of counts of people (for example, access to training by sex),
shared by the parties of a plan or about an employer, and always published suppressed.

Aggregates only: a table counts people by category, never names anyone, and holds no free text
about people beyond what it measures and its column headings.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse


class Breakdown(models.TextChoices):
    SEX = "sex", "Sex"
    ETHNICITY = "ethnicity", "Ethnic group"
    DISABILITY = "disability", "Disability"
    AGE_BAND = "age_band", "Age band"


# The category lists UK public bodies use, each with a "not known" category so that every
# person counted has a row: sex as the GSS harmonised standard, ethnic group as the ONS 2021
# census's five high-level groups (England and Wales), disability as the Equality Act
# question, age in the ONS ten-year bands from 16.
NOT_KNOWN = "not_known"
NOT_KNOWN_LABEL = "Not known or prefer not to say"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NOT_KNOWN = NOT_KNOWN, NOT_KNOWN_LABEL


class EthnicGroup(models.TextChoices):
    ASIAN = "asian", "Asian, Asian British or Asian Welsh"
    BLACK = "black", "Black, Black British, Black Welsh, Caribbean or African"
    MIXED = "mixed", "Mixed or Multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Other ethnic group"
    NOT_KNOWN = NOT_KNOWN, NOT_KNOWN_LABEL


class Disability(models.TextChoices):
    DISABLED = "disabled", "Disabled"
    NOT_DISABLED = "not_disabled", "Not disabled"
    NOT_KNOWN = NOT_KNOWN, NOT_KNOWN_LABEL


class AgeBand(models.TextChoices):
    AGE_16_24 = "16-24", "16 to 24"
    AGE_25_34 = "25-34", "25 to 34"
    AGE_35_44 = "35-44", "35 to 44"
    AGE_45_54 = "45-54", "45 to 54"
    AGE_55_64 = "55-64", "55 to 64"
    AGE_65_OVER = "65+", "65 and over"
    NOT_KNOWN = NOT_KNOWN, NOT_KNOWN_LABEL


CATEGORIES: dict[str, type[models.TextChoices]] = {
    Breakdown.SEX: Sex,
    Breakdown.ETHNICITY: EthnicGroup,
    Breakdown.DISABILITY: Disability,
    Breakdown.AGE_BAND: AgeBand,
}

# A table's columns: the counts it shares, e.g. "Staff", "Applied", "Took part".
MAX_COLUMNS = 8
# The largest count a cell holds: what its column stores on every database (a 32-bit integer).
MAX_COUNT = 2_147_483_647


class FigureTable(models.Model):
    """One table of counts: what it measures, broken down by one characteristic, over a
    period, for a plan or for an employer (never both)."""

    plan = models.ForeignKey(
        "plans.Plan", null=True, blank=True, on_delete=models.CASCADE, related_name="figures"
    )
    # The plan's party that shares the figures (its members keep them up to date).
    party = models.ForeignKey(
        "plans.Party", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    employer = models.ForeignKey(
        "organisations.Employer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="figures",
    )
    measure = models.CharField(
        max_length=200, help_text="What is counted, for example “Access to training”."
    )
    breakdown = models.CharField(max_length=20, choices=Breakdown.choices)
    columns = models.JSONField(help_text="The headings of the counts, in order.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    public = models.BooleanField(
        default=False, help_text="Shown, suppressed, on the employer's public register page."
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-ends_on", "measure", "breakdown", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(plan__isnull=False) & Q(employer__isnull=True))
                | (Q(plan__isnull=True) & Q(employer__isnull=False)),
                name="figure_table_plan_or_employer",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="figure_table_period_in_order"
            ),
            models.CheckConstraint(
                condition=Q(party__isnull=True) | Q(plan__isnull=False),
                name="figure_table_party_only_for_a_plan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} by {self.get_breakdown_display().lower()}"

    def get_absolute_url(self) -> str:
        return reverse("figure-table", args=[self.pk])

    @property
    def audit_context(self) -> str:
        if self.plan_id is not None:
            return f"plan:{self.plan_id}"
        return f"figuretable:{self.pk}"

    @property
    def categories(self) -> list[tuple[str, str]]:
        """(value, label) of each row, in the standard's order."""
        return list(CATEGORIES[self.breakdown].choices)

    @property
    def owner_name(self) -> str:
        return str(self.plan if self.plan_id is not None else self.employer)


class FigureCell(models.Model):
    """One count: the people in a category, under one of the table's columns."""

    table = models.ForeignKey(FigureTable, on_delete=models.CASCADE, related_name="cells")
    category = models.CharField(max_length=20)
    column = models.PositiveSmallIntegerField(help_text="The column's place, from 0.")
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["table", "category", "column"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "category", "column"], name="figure_cell_unique"
            ),
            models.CheckConstraint(condition=Q(count__gte=0), name="figure_cell_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.category}, column {self.column}: {self.count}"


class FigureImport(models.Model):
    """A CSV or XLSX file of counts for a table, waiting for its preview to be confirmed: the
    rows as they came (less characters that cannot be stored), and the corrections beside."""

    table = models.ForeignKey(FigureTable, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    source_name = models.CharField(max_length=200)
    rows = models.JSONField(default=list, blank=True)
    corrections = models.JSONField(default=list, blank=True)
    # What reading the file found: {"repairs": [[row, column, message]], "problems": [...]}.
    reading = models.JSONField(default=dict, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.source_name

    def get_absolute_url(self) -> str:
        return reverse("figure-import", args=[self.pk])

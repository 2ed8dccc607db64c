"""Joint action plans: parties, purposes, themes ("issues"), commitments and reviews. The
numbered workplan is made of the shared Action model (accord.actions)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from accord.core.text import shorten


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class Plan(models.Model):
    # Free text its author wrote, kept when the author is erased, and on what basis.
    PERSONAL_TEXT_KEPT = {
        "introduction": "the plan as the parties adopted it",
        "source_text": "the plan document as it was imported",
    }

    title = models.CharField(max_length=200)
    adopted_on = models.DateField(null=True, blank=True)
    date_wording = models.CharField(
        max_length=100, blank=True, help_text="The plan's date as originally written."
    )
    introduction = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    review_every_months = models.PositiveSmallIntegerField(default=6)
    next_review_on = models.DateField(null=True, blank=True)
    # The document or file the plan was imported from, kept as it came.
    source_name = models.CharField(max_length=200, blank=True)
    source_text = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-adopted_on", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plan", args=[self.pk])

    @property
    def audit_context(self) -> str:
        return f"plan:{self.pk}"


class Party(models.Model):
    """A side or organisation in a plan, e.g. "Government Skills" or "Trade Union side"."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="parties")
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="party_unique_name")]

    def __str__(self) -> str:
        return self.name


class Purpose(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="purposes")
    position = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["plan", "position"]

    def __str__(self) -> str:
        return shorten(self.text, 60)


class Theme(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="themes")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    source = models.JSONField(
        default=list, blank=True, help_text="Where it was read from: [line, column, text]."
    )

    class Meta:
        ordering = ["plan", "position"]

    def __str__(self) -> str:
        return self.title


class Commitment(models.Model):
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="commitments")
    position = models.PositiveSmallIntegerField()
    text = models.TextField()
    parties = models.ManyToManyField(Party, related_name="commitments")
    source = models.JSONField(
        default=list, blank=True, help_text="The cells it was read from: [[line, column, text]]."
    )

    class Meta:
        ordering = ["theme", "position"]

    def __str__(self) -> str:
        return shorten(self.text, 60)


class PlanReview(models.Model):
    # Free text its author wrote, kept when the author is erased, and on what basis.
    PERSONAL_TEXT_KEPT = {
        "notes": "the parties' joint record of the plan's review",
        "outcomes": "the parties' joint record of the plan's review",
    }

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    notes = models.TextField()
    outcomes = models.TextField(blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "-held_on"]

    def __str__(self) -> str:
        return f"Review of {self.plan} on {self.held_on}"


class ImportKind(models.TextChoices):
    DOCUMENT = "document", "Plan document"
    TABLE = "table", "Workplan table (CSV or XLSX)"


class PlanImport(models.Model):
    """An uploaded plan waiting for its preview to be confirmed. The upload is kept as it came,
    less characters that cannot be stored; corrections are kept beside it."""

    # Free text its author wrote, kept when the author is erased, and on what basis.
    PERSONAL_TEXT_KEPT = {"text": "the plan document as it was uploaded"}

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    source_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    title = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    rows = models.JSONField(default=list, blank=True)
    corrections = models.JSONField(default=list, blank=True)
    # What reading the file found before the plan was parsed: characters removed (repairs)
    # and cells that could not be read (problems), as {"repairs": [[line, column, message]]}.
    reading = models.JSONField(default=dict, blank=True)
    plan = models.OneToOneField(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="imported_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.source_name

    def get_absolute_url(self) -> str:
        return reverse("plan-import", args=[self.pk])

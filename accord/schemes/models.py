"""Schemes, their versioned principles and the materials sent to employers."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Max
from django.urls import reverse

from accord.organisations.models import Union


class SchemeQuerySet(models.QuerySet):
    def with_unions(self) -> SchemeQuerySet:
        return self.select_related("lead_union").prefetch_related("partner_unions")


def logo_path(instance: Scheme, filename: str) -> str:
    # Stored under a random name: the uploaded name is never used as a path.
    return f"logos/{secrets.token_urlsafe(24)}.png"


def letter_template_path(instance: Scheme, filename: str) -> str:
    return f"letter-templates/{secrets.token_urlsafe(24)}.docx"


def material_path(instance: Material, filename: str) -> str:
    return f"materials/{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}"


class Scheme(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(unique=True)
    lead_union = models.ForeignKey(Union, on_delete=models.PROTECT, related_name="led_schemes")
    partner_unions = models.ManyToManyField(Union, blank=True, related_name="partner_schemes")
    summary = models.TextField(blank=True)
    principles_preamble = models.TextField(
        blank=True, help_text="The sentence that introduces the principles."
    )
    default_cycle_months = models.PositiveSmallIntegerField(default=12)
    # How long a review may be overdue before the national officers decide: extend or lapse.
    lapse_grace_months = models.PositiveSmallIntegerField(default=3)
    contact_email = models.EmailField(blank=True)
    # A PNG checked and re-encoded on upload (never SVG: an image must not carry script).
    logo = models.FileField(upload_to=logo_path, blank=True, max_length=200)
    # The scheme's own Word template for the joint letter (empty: the site's), checked on upload.
    letter_template = models.FileField(upload_to=letter_template_path, blank=True, max_length=200)

    objects = SchemeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("scheme", args=[self.slug])

    def unions(self) -> list[Union]:
        return [self.lead_union, *self.partner_unions.all()]

    def current_principles(self) -> list[PrincipleVersion]:
        """The wording in force of each principle, in order."""
        versions = (
            PrincipleVersion.objects.filter(principle__scheme=self)
            .select_related("principle")
            .order_by("principle__number", "-version")
        )
        current: dict[int, PrincipleVersion] = {}
        for version in versions:
            current.setdefault(version.principle_id, version)
        return list(current.values())


class Principle(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="principles")
    number = models.PositiveSmallIntegerField()
    short_title = models.CharField(max_length=100)

    class Meta:
        ordering = ["scheme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="principle_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.short_title}"

    def reword(self, wording: str, footnote: str = "", reason: str = "") -> PrincipleVersion:
        """A rewording is a new version; cycles keep the version they were agreed under."""
        latest = self.versions.aggregate(latest=Max("version"))["latest"] or 0
        return PrincipleVersion.objects.create(
            principle=self, version=latest + 1, wording=wording, footnote=footnote, reason=reason
        )


class PrincipleVersion(models.Model):
    principle = models.ForeignKey(Principle, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveSmallIntegerField()
    wording = models.TextField()
    footnote = models.TextField(blank=True)
    reason = models.CharField(
        max_length=200, blank=True, help_text="Why it was reworded, e.g. the 2024 relaunch."
    )
    introduced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["principle", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["principle", "version"], name="principle_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Principle {self.principle.number}: {self.wording}"


class MaterialQuerySet(models.QuerySet):
    def current(self) -> MaterialQuerySet:
        """The materials offered today: not removed."""
        return self.filter(removed_at__isnull=True)


class Material(models.Model):
    """Something sent to employers when the scheme is introduced: a link or a file.

    A file is stored under a random name outside the web root and served only through a view
    that checks who asks; `file_name` is the uploaded name, made safe, kept for the download."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(max_length=200)
    url = models.URLField(blank=True)
    file = models.FileField(upload_to=material_path, blank=True, max_length=200)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)
    public = models.BooleanField(default=False, help_text="Anyone may open it, signed in or not.")
    # Removed materials are kept, so that an enrolment still names what it was sent.
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = MaterialQuerySet.as_manager()

    class Meta:
        ordering = ["scheme", "position", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_file(self) -> bool:
        return bool(self.file)

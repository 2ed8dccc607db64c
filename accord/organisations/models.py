"""Unions, employers and the areas (regions, local associations, NEM districts) they sit in."""

from __future__ import annotations

import secrets

from django.db import models
from django.urls import reverse


class AreaQuerySet(models.QuerySet):
    def current(self) -> AreaQuerySet:
        """The areas that may be chosen in new forms and roles: not retired."""
        return self.filter(retired_at__isnull=True)


class Area(models.Model):
    """What regions, NEM districts and local associations share: each may be retired (kept for
    history, never chosen again), and a merged one points to the area it was merged into."""

    retired_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )

    objects = AreaQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


def union_logo_path(instance: Union, filename: str) -> str:
    """A random name: nothing uploaded chooses where it is stored."""
    return f"union-logos/{secrets.token_urlsafe(24)}.png"


class Union(models.Model):
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=30, unique=True)
    slug = models.SlugField(unique=True)
    # A checked, re-encoded PNG: shown in the joint letter's letterhead.
    logo = models.FileField(upload_to=union_logo_path, blank=True, max_length=200)

    class Meta:
        ordering = ["short_name"]

    def __str__(self) -> str:
        return self.short_name

    def get_absolute_url(self) -> str:
        return reverse("union", args=[self.slug])


class Region(Area):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class District(Area):
    """A National Executive Member's district: a group of local associations."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LocalAuthority(models.Model):
    code = models.CharField(max_length=10, unique=True, help_text="The DfE local authority code.")
    name = models.CharField(max_length=100)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="local_authorities"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return self.name


class Association(Area):
    """A local association of the lead union, covering one or more local authorities."""

    name = models.CharField(max_length=100, unique=True)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="associations",
        limit_choices_to={"retired_at__isnull": True},
    )
    district = models.ForeignKey(
        District,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="associations",
        limit_choices_to={"retired_at__isnull": True},
    )
    local_authorities = models.ManyToManyField(
        LocalAuthority, blank=True, related_name="associations"
    )
    # The sender's address on the association's letters (the joint letter's letterhead).
    address = models.TextField("postal address", blank=True)
    email = models.EmailField("e-mail address", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EmployerKind(models.TextChoices):
    SCHOOL = "school", "School"
    ACADEMY_TRUST = "academy_trust", "Academy trust"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    COLLEGE = "college", "College"
    OTHER = "other", "Other public body"


class EmployerQuerySet(models.QuerySet):
    def current(self) -> EmployerQuerySet:
        """Employers that are not duplicates merged into another record."""
        return self.filter(merged_into__isnull=True)

    def with_places(self) -> EmployerQuerySet:
        return self.select_related(
            "parent", "local_authority", "association__region", "association__district"
        )


def _unique_when_set(field: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=[field],
        condition=~models.Q(**{field: ""}),
        name=f"employer_unique_{field}",
        violation_error_message="Another employer has this identifier already.",
    )


class Employer(models.Model):
    kind = models.CharField(max_length=20, choices=EmployerKind.choices)
    name = models.CharField(max_length=200, db_index=True)
    # Official identifiers; blank where the employer has none. Each is unique when set.
    urn = models.CharField("URN", max_length=10, blank=True, db_index=True)
    companies_house_number = models.CharField(max_length=10, blank=True)
    la_code = models.CharField("local authority code", max_length=10, blank=True)
    ukprn = models.CharField("UKPRN", max_length=10, blank=True)
    gias_group_uid = models.CharField("GIAS group UID", max_length=10, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="The trust or local authority a school belongs to.",
    )
    establishment_type = models.CharField(max_length=100, blank=True)
    street = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    local_authority = models.ForeignKey(
        LocalAuthority, null=True, blank=True, on_delete=models.SET_NULL, related_name="employers"
    )
    association = models.ForeignKey(
        Association,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employers",
        limit_choices_to={"retired_at__isnull": True},
    )
    # Set by hand: the association stays when its local authority moves or GIAS is re-imported.
    association_overridden = models.BooleanField(
        "association set by hand",
        default=False,
        help_text="The association stays when its local authority moves to another one.",
    )
    # A duplicate merged into another record: kept, so that what was recorded about it still
    # resolves, and its page leads to the record that carries on.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    merged_at = models.DateTimeField(null=True, blank=True)
    is_open = models.BooleanField(default=True)
    status_name = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # A digest of the GIAS row (and the places it led to) the record was last brought into line
    # with, and when. It holds only while `updated_at` still equals `gias_synced_at`: a change
    # through any other door moves `updated_at`, and the next import compares field by field.
    gias_digest = models.CharField(max_length=32, blank=True, editable=False)
    gias_synced_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = EmployerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            _unique_when_set("urn"),
            _unique_when_set("companies_house_number"),
            _unique_when_set("la_code"),
            _unique_when_set("ukprn"),
            _unique_when_set("gias_group_uid"),
        ]
        # The employers list: open, unmerged employers by name, a page at a time.
        indexes = [
            models.Index(
                fields=["name", "id"],
                condition=models.Q(merged_into__isnull=True, is_open=True),
                name="employer_directory_idx",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("employer", args=[self.pk])

    @property
    def is_employer_in_own_right(self) -> bool:
        """A school inside an academy trust is not the employer: its trust is."""
        return not (
            self.kind == EmployerKind.SCHOOL
            and self.parent_id is not None
            and self.parent.kind == EmployerKind.ACADEMY_TRUST
        )

    @property
    def identifiers(self) -> list[tuple[str, str]]:
        labels = [
            ("urn", "URN"),
            ("companies_house_number", "Companies House number"),
            ("la_code", "Local authority code"),
            ("ukprn", "UKPRN"),
            ("gias_group_uid", "GIAS group UID"),
        ]
        return [(label, getattr(self, name)) for name, label in labels if getattr(self, name)]

    @property
    def region(self) -> Region | None:
        return self.association.region if self.association_id else None


class GiasImport(models.Model):
    """A GIAS import that changed something: which file, and what it did. Its one audit event
    lists the employers it created and changed."""

    imported_at = models.DateTimeField()
    sha256 = models.CharField("SHA-256 of the file", max_length=64)
    summary = models.CharField(max_length=300)

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = "GIAS import"

    def __str__(self) -> str:
        return f"GIAS import of {self.imported_at:%Y-%m-%d %H:%M}"

"""Forms of the workforce figures pages: a table's details, its grid of counts, an upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from accord.core.forms import AccordForm
from accord.core.uploads import too_large
from accord.enrolments.forms import DateInput
from accord.plans.models import Plan

from .models import MAX_COLUMNS, MAX_COUNT, Breakdown, FigureTable


class TableForm(AccordForm):
    measure = forms.CharField(
        label="What is counted",
        max_length=200,
        help_text="For example “Access to training”. Counts of people only: never name anyone.",
    )
    breakdown = forms.ChoiceField(label="Broken down by", choices=Breakdown.choices)
    columns = forms.CharField(
        label="Columns",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"One heading a line, at most {MAX_COLUMNS}: for example Staff, Applied, "
        "Took part.",
    )
    starts_on = forms.DateField(label="Period from", widget=DateInput())
    ends_on = forms.DateField(label="Period to", widget=DateInput())
    party = forms.ModelChoiceField(
        queryset=None, label="Shared by", required=False, empty_label="The plan as a whole"
    )
    public = forms.BooleanField(
        label="Publish this table, suppressed, on the employer's public register page",
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        plan: Plan | None,
        table: FigureTable | None = None,
        may_publish: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if plan is None:
            del self.fields["party"]
        else:
            self.fields["party"].queryset = plan.parties.all()
        if table is not None:
            # The counts are entered against the breakdown's categories: it stays.
            del self.fields["breakdown"]
        if plan is not None or not may_publish:
            # Plans have no public page; and only a national officer publishes figures.
            del self.fields["public"]

    def clean_columns(self) -> list[str]:
        lines = [" ".join(line.split()) for line in self.cleaned_data["columns"].splitlines()]
        columns = [line for line in lines if line]
        if not columns:
            raise forms.ValidationError("Give at least one column heading.")
        if len(columns) > MAX_COLUMNS:
            raise forms.ValidationError(f"Give at most {MAX_COLUMNS} column headings.")
        if any(len(c) > 60 for c in columns):
            raise forms.ValidationError("Keep each column heading to 60 characters.")
        if len({c.casefold() for c in columns}) != len(columns):
            raise forms.ValidationError("Give each column a heading of its own.")
        return columns

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The period cannot end before it starts.")
        return data


def cell_field(category: str, column: int) -> str:
    return f"count_{category}_{column}"


class CountsForm(AccordForm):
    """One number input per cell, labelled "Female, Staff"; errors name the cell."""

    def __init__(self, *args: Any, table: FigureTable, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table = table
        self.cells: list[tuple[str, list[str]]] = []
        for category, label in table.categories:
            names = []
            for j, heading in enumerate(table.columns):
                name = cell_field(category, j)
                self.fields[name] = forms.IntegerField(
                    label=f"{label}, {heading}",
                    min_value=0,
                    max_value=MAX_COUNT,
                    error_messages={
                        "required": f"Enter the count for {label}, {heading} (0 if none).",
                        "invalid": f"The count for {label}, {heading} must be a whole number.",
                        "min_value": f"The count for {label}, {heading} cannot be negative.",
                    },
                )
                names.append(name)
            self.cells.append((label, names))

    def grid(self) -> list[tuple[str, list[Any]]]:
        """Each category with its cells' bound fields, for the page's fieldsets."""
        return [(label, [self[name] for name in names]) for label, names in self.cells]

    def counts(self) -> dict[tuple[str, int], int]:
        return {
            (category, j): self.cleaned_data[cell_field(category, j)]
            for category, _ in self.table.categories
            for j in range(len(self.table.columns))
        }


class UploadForm(AccordForm):
    file = forms.FileField(
        label="The counts",
        help_text="A .csv or .xlsx file: a header row with the categories' heading first, then "
        "the table's columns by heading; one row a category.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        if upload is None:
            return data
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            self.add_error("file", "Choose a .csv or .xlsx file.")
        elif upload.size > settings.PLAN_IMPORT_MAX_BYTES:
            self.add_error("file", too_large(settings.PLAN_IMPORT_MAX_BYTES))
        return data

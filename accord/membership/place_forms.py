"""Forms of the area pages: an area's details, the area a merge goes into, and where a local
authority moves. Only current (not retired) areas may be chosen."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models

from accord.core.forms import AccordForm, AccordModelForm
from accord.organisations.models import Association, District, LocalAuthority, Region


class RegionForm(AccordModelForm):
    class Meta:
        model = Region
        fields = ["name"]


class DistrictForm(AccordModelForm):
    class Meta:
        model = District
        fields = ["name"]


class AssociationForm(AccordModelForm):
    address = forms.CharField(
        label="Postal address",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The sender's address on the association's joint letters, one line of the "
        "address per line.",
    )
    local_authorities = forms.ModelMultipleChoiceField(
        label="Add local authorities",
        queryset=LocalAuthority.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Local authorities no association covers yet. To take one from another "
        "association, move it from the areas page: you see whose cases change hands first.",
    )

    class Meta:
        model = Association
        fields = ["name", "region", "district", "address", "email"]
        labels = {"district": "NEM district", "email": "E-mail address"}
        help_texts = {
            "region": "Partner representatives held for a region see the cases of its "
            "associations.",
            "district": "The NEM of this district considers the association's proposals: a "
            "change hands its cases to the new district's NEM.",
        }

    def clean_address(self) -> str:
        """The address as the letter prints it: one line of the address per line, without
        blank lines or spaces at the ends of lines."""
        lines = self.cleaned_data["address"].splitlines()
        return "\n".join(line.strip() for line in lines if line.strip())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.current()
        self.fields["district"].queryset = District.objects.current()
        covered = Association.objects.current().filter(local_authorities__isnull=False)
        self.fields["local_authorities"].queryset = LocalAuthority.objects.exclude(
            pk__in=covered.values("local_authorities")
        ).order_by("name")


AREA_FORMS: dict[type[models.Model], type[AccordModelForm]] = {
    Region: RegionForm,
    District: DistrictForm,
    Association: AssociationForm,
}


class MergeIntoForm(AccordForm):
    into = forms.ModelChoiceField(queryset=Region.objects.none(), label="Merge it into")

    def __init__(self, *args: Any, source: models.Model, hidden: bool = False, **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["into"]
        field.queryset = type(source).objects.current().exclude(pk=source.pk)
        if hidden:
            field.widget = forms.HiddenInput()


class MoveForm(AccordForm):
    to = forms.ModelChoiceField(queryset=Association.objects.none(), label="Move it to")

    def __init__(self, *args: Any, hidden: bool = False, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["to"].queryset = Association.objects.current()
        if hidden:
            self.fields["to"].widget = forms.HiddenInput()


class RetireForm(AccordForm):
    """A confirmation with nothing to fill in."""

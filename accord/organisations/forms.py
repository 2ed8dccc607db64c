"""Forms of the employer pages (the GIAS import, and officers' changes to an employer) and of a
union's page (its logo)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q

from accord.core.forms import AccordForm, AccordModelForm
from accord.core.uploads import LOGO_MAX_SIDE, LOGO_MIN_SIDE, size_text, too_large

from .gias import normalise_postcode
from .models import Association, Employer, LocalAuthority
from .services import DETAIL_FIELDS


class GiasUploadForm(AccordForm):
    file = forms.FileField(
        label="GIAS establishment file (CSV)",
        help_text="The 'edubasealldata' CSV from Get Information About Schools, as downloaded.",
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("Choose a .csv file.")
        if upload.size > settings.GIAS_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(too_large(settings.GIAS_UPLOAD_MAX_BYTES))
        return upload


class EmployerDetailsForm(AccordModelForm):
    """An employer's details; its parent is named by an identifier, since there are thousands."""

    parent_identifier = forms.CharField(
        label="Part of",
        required=False,
        max_length=10,
        help_text="The GIAS group UID of its trust, the LA code of its local authority, or the "
        "URN or Companies House number of its parent. Leave blank if it is an employer in its "
        "own right.",
    )

    class Meta:
        model = Employer
        # The parent is typed as an identifier (a field of its own, above).
        fields = [name for name in DETAIL_FIELDS if name != "parent"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = self.instance.parent if self.instance.parent_id else None
        if parent is not None:
            self.fields["parent_identifier"].initial = next(
                (value for _, value in parent.identifiers), ""
            )
            self.fields["parent_identifier"].help_text += f" Now: {parent.name}."
        self.fields["local_authority"].queryset = LocalAuthority.objects.order_by("name")

    def clean_postcode(self) -> str:
        value = self.cleaned_data["postcode"]
        if not value:
            return ""
        postcode = normalise_postcode(value)
        if postcode is None:
            raise forms.ValidationError("Enter a UK postcode, like SW1A 1AA.")
        return postcode

    def clean_parent_identifier(self) -> Employer | None:
        value = self.cleaned_data["parent_identifier"].strip()
        if not value:
            return None
        condition = Q()
        for name in ("gias_group_uid", "la_code", "urn", "companies_house_number"):
            condition |= Q(**{name: value})
        found = list(Employer.objects.current().filter(condition)[:2])
        if not found:
            raise forms.ValidationError(f"No employer has the identifier {value}.")
        if len(found) > 1:
            raise forms.ValidationError(
                f"More than one employer has the identifier {value}: ask for it to be fixed."
            )
        return found[0]

    def details(self) -> dict[str, Any]:
        """The cleaned details, as the service takes them."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["parent"] = self.cleaned_data["parent_identifier"]
        return data


FOLLOW_CHOICES = [
    ("hand", "Set by hand: it stays when its local authority moves to another association"),
    ("follow", "Follow its local authority: the association covering it, now and after a move"),
]


class EmployerAssociationForm(AccordForm):
    how = forms.ChoiceField(
        label="How is its association decided?", choices=FOLLOW_CHOICES, widget=forms.RadioSelect
    )
    association = forms.ModelChoiceField(
        queryset=Association.objects.current(),
        required=False,
        help_text="Needed when it is set by hand.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("how") == "hand" and data.get("association") is None:
            self.add_error("association", "Choose the association.")
        return data


class EmployerMergeForm(AccordForm):
    """The confirmation of a merge: the employer that carries on."""

    into = forms.ModelChoiceField(queryset=Employer.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args: Any, duplicate: Employer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = Employer.objects.current().exclude(pk=duplicate.pk)


class UnionLogoForm(AccordForm):
    logo = forms.FileField(
        label="Logo",
        error_messages={
            "required": "Choose a PNG file for the logo.",
            "empty": "The logo file is empty: choose the file again.",
        },
        help_text=f"A PNG image, no larger than {size_text(settings.UNION_LOGO_MAX_BYTES)}, "
        f"between {LOGO_MIN_SIDE} and {LOGO_MAX_SIDE} pixels on each side.",
    )

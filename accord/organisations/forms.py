from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from accord.core.forms import AccordForm
from accord.core.uploads import size_text


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
            limit = size_text(settings.GIAS_UPLOAD_MAX_BYTES)
            raise forms.ValidationError(
                f"The file is too large: files may be no larger than {limit}."
            )
        return upload

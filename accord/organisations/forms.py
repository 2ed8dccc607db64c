from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from accord.core.forms import AccordForm
from accord.core.uploads import too_large


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

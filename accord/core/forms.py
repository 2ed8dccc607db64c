"""Form rendering in the house pattern: label, hint, error message, then the input."""

from django.forms.renderers import TemplatesSetting


class AccordFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"

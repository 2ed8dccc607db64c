"""The scheme pages: national officers run their union's schemes (details, principles and their
versions, materials, logo); every national officer and the auditor read them. Materials marked
public and the logo are open to anyone.

They sit here, not in `schemes`, because whether an employer contact may open a material
depends on its enrolment in the scheme (`rules.can_open_material`).
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accord.accounts import rules as account_rules
from accord.core.forms import AccordForm
from accord.core.pages import form_page, posted, posted_files
from accord.core.params import choice_param
from accord.core.uploads import accepts_files, serve_upload
from accord.organisations import services as organisation_services
from accord.organisations.forms import UnionLogoForm
from accord.organisations.models import Union
from accord.schemes import services, wording
from accord.schemes.forms import (
    LogoForm,
    MaterialForm,
    PrincipleEditForm,
    PrincipleForm,
    SchemeForm,
)
from accord.schemes.models import Material, Principle, Scheme

from . import docx_letter, letter_templates, rules
from .forms import LetterTemplateForm


def _readable(request: HttpRequest, slug: str) -> Scheme:
    if not account_rules.can_read_schemes(request.user):
        raise PermissionDenied("Schemes are run by national officers.")
    return get_object_or_404(Scheme.objects.with_unions(), slug=slug)


def _managed(request: HttpRequest, slug: str) -> Scheme:
    scheme = _readable(request, slug)
    if not account_rules.can_manage_scheme(request.user, scheme):
        raise PermissionDenied("Only national officers of the scheme's lead union change it.")
    return scheme


def _material(scheme: Scheme, pk: int) -> Material:
    return get_object_or_404(scheme.materials.current(), pk=pk)


@login_required
def scheme_list(request: HttpRequest) -> HttpResponse:
    if not account_rules.can_read_schemes(request.user):
        raise PermissionDenied("Schemes are run by national officers.")
    page = Paginator(Scheme.objects.with_unions(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "schemes/scheme_list.html",
        {"page": page, "may_create": account_rules.can_create_scheme(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def scheme_new(request: HttpRequest) -> HttpResponse:
    if not account_rules.can_create_scheme(request.user):
        raise PermissionDenied("A superuser creates schemes.")
    return form_page(
        request,
        SchemeForm(posted(request)),
        lambda data: services.create_scheme(actor=request.user, data=data),
        done="scheme created",
        then=lambda scheme: scheme,
        template="schemes/scheme_form.html",
        context={"scheme": None},
    )


@login_required
def scheme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    scheme = _readable(request, slug)
    principles = scheme.current_principles()
    return render(
        request,
        "schemes/scheme_detail.html",
        {
            "scheme": scheme,
            "principles": principles,
            "materials": list(scheme.materials.current().order_by("position", "title", "pk")),
            "may_manage": account_rules.can_manage_scheme(request.user, scheme),
            "own_unions": [
                union
                for union in [scheme.lead_union, *scheme.partner_unions.all()]
                if account_rules.can_manage_union(request.user, union)
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request: HttpRequest, slug: str) -> HttpResponse:
    scheme = _managed(request, slug)
    form = SchemeForm(
        posted(request),
        instance=scheme,
        unions_fixed=not account_rules.can_choose_scheme_unions(request.user),
    )
    return form_page(
        request,
        form,
        lambda data: services.edit_scheme(scheme, actor=request.user, data=data),
        done="scheme saved",
        then=lambda saved: saved,
        template="schemes/scheme_form.html",
        context={"scheme": Scheme.objects.get(pk=scheme.pk)},
    )


# --- principles ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def principle_new(request: HttpRequest, slug: str) -> HttpResponse:
    scheme = _managed(request, slug)
    return form_page(
        request,
        PrincipleForm(posted(request)),
        lambda data: services.add_principle(scheme, actor=request.user, **data),
        done="principle added",
        then=lambda principle: scheme,
        template="schemes/principle_form.html",
        context={"scheme": scheme, "principle": None},
    )


def _principle(scheme: Scheme, number: int) -> Principle:
    return get_object_or_404(scheme.principles.all(), number=number)


@login_required
def principle_versions(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    scheme = _readable(request, slug)
    principle = _principle(scheme, number)
    versions = list(principle.versions.order_by("version"))
    rows = [
        {
            "version": version,
            "previous": previous,
            "wording": wording.compare(previous.wording, version.wording) if previous else [],
            "footnote": wording.compare(previous.footnote, version.footnote)
            if previous and previous.footnote != version.footnote
            else [],
        }
        for previous, version in zip([None, *versions[:-1]], versions, strict=True)
    ]
    return render(
        request,
        "schemes/principle_versions.html",
        {
            "scheme": scheme,
            "principle": principle,
            "rows": rows,
            "current": versions[-1] if versions else None,
            "may_manage": account_rules.can_manage_scheme(request.user, scheme),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def principle_edit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    scheme = _managed(request, slug)
    principle = _principle(scheme, number)
    current = services.current_version(principle)
    form = PrincipleEditForm(
        posted(request),
        initial={
            "short_title": principle.short_title,
            "wording": current.wording,
            "footnote": current.footnote,
        },
    )
    return form_page(
        request,
        form,
        lambda data: services.edit_principle(principle, actor=request.user, **data),
        done="principle saved",
        then=lambda saved: reverse("scheme-principle", args=[scheme.slug, saved.number]),
        template="schemes/principle_form.html",
        context={"scheme": scheme, "principle": principle, "current": current},
    )


# --- materials -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@accepts_files("SCHEME_MATERIAL_MAX_BYTES")
def material_new(request: HttpRequest, slug: str) -> HttpResponse:
    scheme = _managed(request, slug)
    return form_page(
        request,
        MaterialForm(posted(request), posted_files(request)),
        lambda data: services.add_material(scheme, actor=request.user, **data),
        done="material added",
        then=lambda material: scheme,
        template="schemes/material_form.html",
        context={"scheme": scheme, "material": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
@accepts_files("SCHEME_MATERIAL_MAX_BYTES")
def material_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    scheme = _managed(request, slug)
    material = _material(scheme, pk)
    form = MaterialForm(
        posted(request),
        posted_files(request),
        initial={
            "title": material.title,
            "url": material.url,
            "position": material.position,
            "public": material.public,
        },
    )
    return form_page(
        request,
        form,
        lambda data: services.edit_material(material, actor=request.user, **data),
        done="material saved",
        then=lambda saved: scheme,
        template="schemes/material_form.html",
        context={"scheme": scheme, "material": material},
    )


@login_required
@require_http_methods(["GET", "POST"])
def material_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    scheme = _managed(request, slug)
    material = _material(scheme, pk)
    return form_page(
        request,
        AccordForm(posted(request)),
        lambda data: services.remove_material(material, actor=request.user),
        done=f"“{material.title}” removed",
        then=lambda removed: scheme,
        template="schemes/material_remove.html",
        context={"scheme": scheme, "material": material},
    )


@login_required
@require_POST
def material_move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    scheme = _managed(request, slug)
    material = _material(scheme, pk)
    direction = choice_param(request.POST.get("direction"), ["up", "down"])
    if direction:
        services.move_material(material, actor=request.user, up=direction == "up")
    return redirect(scheme)


def material_download(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    scheme = get_object_or_404(Scheme, slug=slug)
    material = _material(scheme, pk)
    if not rules.can_open_material(request.user, material):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied("This material is for the unions and the scheme's employers.")
    if material.url:
        return HttpResponseRedirect(material.url)
    if not material.file:
        raise Http404("This material has no file yet.")
    response = serve_upload(
        material.file, content_type=material.content_type, filename=material.file_name
    )
    if not material.public:
        response["Cache-Control"] = "private, no-store"
    return response


# --- logo ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@accepts_files("SCHEME_LOGO_MAX_BYTES")
def logo_upload(request: HttpRequest, slug: str) -> HttpResponse:
    scheme = _managed(request, slug)
    return form_page(
        request,
        LogoForm(posted(request), posted_files(request)),
        lambda data: services.upload_logo(scheme, actor=request.user, file=data["logo"]),
        done="logo uploaded",
        then=lambda saved: saved,
        template="schemes/logo_form.html",
        context={"scheme": scheme},
    )


def logo_image(request: HttpRequest, slug: str) -> FileResponse:
    """The scheme's logo, for anyone: it is shown publicly and sent to every member."""
    scheme = get_object_or_404(Scheme, slug=slug)
    if not scheme.logo:
        raise Http404("This scheme has no logo yet.")
    return _png(scheme.logo)


def _png(stored: FieldFile) -> FileResponse:
    """An uploaded logo (checked and re-encoded as PNG on upload), served so that a browser
    can only show it as a picture."""
    return serve_upload(stored, content_type="image/png")


# --- a union's own page: its logo, shown in the joint letter's letterhead ---------------------


def _managed_union(request: HttpRequest, slug: str) -> Union:
    union = get_object_or_404(Union, slug=slug)
    if not account_rules.can_manage_union(request.user, union):
        raise PermissionDenied("Only the union's national officers change its page.")
    return union


@login_required
@require_http_methods(["GET", "POST"])
@accepts_files("UNION_LOGO_MAX_BYTES")
def union_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The union's name and logo, and the form to upload a logo, for its national officers."""
    union = _managed_union(request, slug)
    return form_page(
        request,
        UnionLogoForm(posted(request), posted_files(request)),
        lambda data: organisation_services.upload_union_logo(
            union, actor=request.user, file=data["logo"]
        ),
        done="logo uploaded",
        then=lambda saved: saved,
        template="organisations/union_detail.html",
        context={"union": union},
    )


@login_required
@require_POST
def union_logo_remove(request: HttpRequest, slug: str) -> HttpResponse:
    union = _managed_union(request, slug)
    organisation_services.remove_union_logo(union, actor=request.user)
    messages.success(request, f"Done: letters show {union.short_name}'s name without a logo.")
    return redirect(union)


def union_logo_image(request: HttpRequest, slug: str) -> FileResponse:
    """A union's logo, for anyone: it is printed on every joint letter the union signs."""
    union = get_object_or_404(Union, slug=slug)
    if not union.logo:
        raise Http404("This union has no logo.")
    return _png(union.logo)


# --- the joint letter's template ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@accepts_files("SCHEME_MATERIAL_MAX_BYTES")
def letter_template_upload(request: HttpRequest, slug: str) -> HttpResponse:
    scheme = _managed(request, slug)
    return form_page(
        request,
        LetterTemplateForm(posted(request), posted_files(request)),
        lambda data: letter_templates.upload_template(
            scheme, actor=request.user, file=data["template"]
        ),
        done="letter template uploaded",
        then=lambda saved: saved,
        template="schemes/letter_template_form.html",
        context={"scheme": scheme},
    )


@login_required
@require_POST
def letter_template_remove(request: HttpRequest, slug: str) -> HttpResponse:
    scheme = _managed(request, slug)
    letter_templates.remove_template(scheme, actor=request.user)
    messages.success(request, "Done: the scheme's letters use the standard template again.")
    return redirect(scheme)


@login_required
def letter_template_download(request: HttpRequest, slug: str) -> HttpResponse:
    """The template the scheme's letters are filled into now, to change and upload again."""
    scheme = _managed(request, slug)
    template = letter_templates.template_for(scheme)
    content = template.read_bytes() if isinstance(template, Path) else template.read()
    response = HttpResponse(content, content_type=docx_letter.CONTENT_TYPE)
    filename = f"joint-letter-template-{scheme.slug}.docx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

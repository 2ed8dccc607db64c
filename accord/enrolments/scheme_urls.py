"""The scheme pages' addresses (see scheme_views)."""

from django.urls import path

from . import scheme_views as views

urlpatterns = [
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/new/", views.scheme_new, name="scheme-new"),
    path("schemes/<slug:slug>/", views.scheme_detail, name="scheme"),
    path("schemes/<slug:slug>/edit/", views.scheme_edit, name="scheme-edit"),
    path("schemes/<slug:slug>/logo/", views.logo_upload, name="scheme-logo-upload"),
    path("schemes/<slug:slug>/logo.png", views.logo_image, name="scheme-logo"),
    path("unions/<slug:slug>/", views.union_detail, name="union"),
    path("unions/<slug:slug>/logo/remove/", views.union_logo_remove, name="union-logo-remove"),
    path("unions/<slug:slug>/logo.png", views.union_logo_image, name="union-logo"),
    path(
        "schemes/<slug:slug>/letter-template/",
        views.letter_template_upload,
        name="scheme-letter-template-upload",
    ),
    path(
        "schemes/<slug:slug>/letter-template/remove/",
        views.letter_template_remove,
        name="scheme-letter-template-remove",
    ),
    path(
        "schemes/<slug:slug>/letter-template.docx",
        views.letter_template_download,
        name="scheme-letter-template",
    ),
    path("schemes/<slug:slug>/principles/new/", views.principle_new, name="scheme-principle-new"),
    path(
        "schemes/<slug:slug>/principles/<int:number>/",
        views.principle_versions,
        name="scheme-principle",
    ),
    path(
        "schemes/<slug:slug>/principles/<int:number>/edit/",
        views.principle_edit,
        name="scheme-principle-edit",
    ),
    path("schemes/<slug:slug>/materials/new/", views.material_new, name="scheme-material-new"),
    path(
        "schemes/<slug:slug>/materials/<int:pk>/",
        views.material_download,
        name="scheme-material",
    ),
    path(
        "schemes/<slug:slug>/materials/<int:pk>/edit/",
        views.material_edit,
        name="scheme-material-edit",
    ),
    path(
        "schemes/<slug:slug>/materials/<int:pk>/remove/",
        views.material_remove,
        name="scheme-material-remove",
    ),
    path(
        "schemes/<slug:slug>/materials/<int:pk>/move/",
        views.material_move,
        name="scheme-material-move",
    ),
]

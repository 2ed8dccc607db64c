from django.urls import path

from . import views

urlpatterns = [
    path("plans/", views.plan_list, name="plans"),
    path("plans/export.<slug:kind>", views.plans_export, name="plans-export"),
    path("plans/import/", views.import_upload, name="plan-import-upload"),
    path("plans/imports/<int:pk>/", views.import_preview, name="plan-import"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/workplan.<slug:kind>", views.plan_export, name="plan-export"),
    path("plans/<int:pk>/print/", views.plan_print, name="plan-print"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/reviews/new/", views.review_new, name="plan-review-new"),
    path("plans/actions/<int:pk>/edit/", views.action_edit, name="plan-action-edit"),
]

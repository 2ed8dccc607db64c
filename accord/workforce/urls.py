from django.urls import path

from . import views

urlpatterns = [
    path("plans/<int:pk>/figures/", views.plan_tables, name="plan-figures"),
    path("plans/<int:pk>/figures/new/", views.plan_table_new, name="plan-figures-new"),
    path("employers/<int:pk>/figures/", views.employer_tables, name="employer-figures"),
    path("employers/<int:pk>/figures/new/", views.employer_table_new, name="employer-figures-new"),
    path("figures/<int:pk>/", views.table_detail, name="figure-table"),
    path("figures/<int:pk>/table.<slug:kind>", views.table_export, name="figure-export"),
    path("figures/<int:pk>/edit/", views.table_edit, name="figure-edit"),
    path("figures/<int:pk>/counts/", views.table_counts, name="figure-counts"),
    path("figures/<int:pk>/import/", views.import_upload, name="figure-import-upload"),
    path("figures/imports/<int:pk>/", views.import_preview, name="figure-import"),
]

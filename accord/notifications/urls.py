from django.urls import path

from . import views

urlpatterns = [
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/members/", views.task_list, {"kind": "members"}, name="tasks-members"),
    path("tasks/overdue/", views.task_list, {"kind": "overdue"}, name="tasks-overdue"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<slug:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("outbox/", views.outbox_page, name="outbox"),
    path("outbox/<int:pk>/retry/", views.outbox_retry, name="outbox-retry"),
]

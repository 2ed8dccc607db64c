"""Run daily: drop the kept answers to Idempotency-Key requests once they are a day old."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from accord.api.idempotency import KEPT_FOR
from accord.api.models import IdempotentRequest


class Command(BaseCommand):
    help = "Drop the answers kept for Idempotency-Key requests once they are a day old."

    def handle(self, *args: Any, **options: Any) -> None:
        removed, _ = IdempotentRequest.objects.filter(
            created_at__lt=timezone.now() - KEPT_FOR
        ).delete()
        self.stdout.write(f"Dropped {removed} kept API answers.")

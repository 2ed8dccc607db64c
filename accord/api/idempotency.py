"""`Idempotency-Key` on the POSTs that make something: the first answer to a key is kept (per
person, for a day), and the same request sent again with that key gets the same answer, with
`Idempotent-Replayed: true`, and makes nothing new. The same key with another body is refused
(422); a key whose first request is still being answered gets 409."""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from .models import IdempotentRequest
from .problems import Problem

HEADER = "Idempotency-Key"
KEPT_FOR = datetime.timedelta(hours=24)
# A first request unanswered after this long is taken to have died: its key may be used again.
ABANDONED_AFTER = datetime.timedelta(minutes=5)

# Visible ASCII and spaces, as an HTTP header carries them.
KEY_PATTERN = re.compile(r"[\x20-\x7e]{1,255}")

PARAMETER = OpenApiParameter(
    name=HEADER,
    type={"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x20-\\x7e]+$"},
    location=OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (a UUID, say), at most 255 characters. Sending the same "
    "request again with the same key returns the first answer and makes nothing new.",
)


def _fingerprint(request: Request) -> str:
    digest = hashlib.sha256(b"\0".join([request.method.encode(), request.path.encode()]))
    if request.content_type.startswith("multipart/"):
        # An upload may be larger than Django keeps in memory as a body: its fields, and each
        # file's name and content, are read as parsed instead.
        for name, values in sorted(request.data.lists()):
            for value in values:
                digest.update(b"\0" + str(name).encode() + b"=")
                if isinstance(value, UploadedFile):
                    digest.update((value.name or "").encode() + b"\0")
                    for chunk in value.chunks():
                        digest.update(chunk)
                    value.seek(0)
                else:
                    digest.update(str(value).encode())
        return digest.hexdigest()
    digest.update(b"\0" + request._request.body)  # read before the view parses it; kept
    return digest.hexdigest()


def _claim(request: Request, key: str, fingerprint: str) -> IdempotentRequest | Response:
    """The new record for this key, or the answer to give when the key is taken."""
    now = timezone.now()
    user = request.user
    IdempotentRequest.objects.filter(user=user, created_at__lt=now - KEPT_FOR).delete()
    IdempotentRequest.objects.filter(
        user=user, key=key, status__isnull=True, created_at__lt=now - ABANDONED_AFTER
    ).delete()
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(
                user=user,
                key=key,
                method=request.method,
                path=request.path[:500],
                fingerprint=fingerprint,
            )
    except IntegrityError:
        earlier = IdempotentRequest.objects.filter(user=user, key=key).first()
    if earlier is None:
        # The first request with this key was refused, or given up, a moment ago.
        raise Problem(409, f"A request with this {HEADER} was being answered; send it again.")
    if earlier.fingerprint != fingerprint:
        raise Problem(422, f"This {HEADER} was used with another request; use a new key.")
    if earlier.status is None:
        raise Problem(409, f"A request with this {HEADER} is still being answered; try later.")
    response = Response(earlier.body, status=earlier.status)
    if earlier.location:
        response["Location"] = earlier.location
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(method: Callable[..., Response]) -> Callable[..., Response]:
    """Wraps a view's `post`: honours the Idempotency-Key header when one is sent."""

    @functools.wraps(method)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None or not request.user.is_authenticated:
            return method(view, request, *args, **kwargs)
        if not KEY_PATTERN.fullmatch(key):
            raise Problem(
                400,
                f"{HEADER} must be 1 to 255 printable ASCII characters.",
                errors={HEADER: ["Must be 1 to 255 printable ASCII characters."]},
            )
        claimed = _claim(request, key, _fingerprint(request))
        if isinstance(claimed, Response):
            return claimed
        try:
            response = method(view, request, *args, **kwargs)
        except BaseException:
            claimed.delete()
            raise
        if not 200 <= response.status_code < 300:
            # Only a success is kept: a refused request may be corrected and sent again.
            claimed.delete()
            return response
        claimed.status = response.status_code
        claimed.body = json.loads(json.dumps(response.data, cls=JSONEncoder))
        claimed.location = response.get("Location", "")[:500]
        claimed.save(update_fields=["status", "body", "location"])
        return response

    return wrapper

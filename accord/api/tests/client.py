"""Calling the API in tests as a person would: with a token of their own, over the real HTTP
stack (Django's test client, through every middleware)."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.test import Client
from django.utils import timezone

from accord.accounts.models import User
from accord.api import tokens

BASE = "/api/v1/"


class ApiClient:
    """`get`/`post`/`put`/`delete` on paths under /api/v1/, as `user` (anonymous if None)."""

    def __init__(self, user: User | None = None, *, read_only: bool = False) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        self.token = None
        if user is not None:
            self.token, secret = tokens.issue(
                user,
                name="test",
                expires_at=timezone.now() + datetime.timedelta(days=30),
                read_only=read_only,
            )
            self.headers["Authorization"] = f"Bearer {secret}"

    def _url(self, path: str) -> str:
        return path if path.startswith("/") else BASE + path

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(self._url(path), params or {}, headers={**self.headers, **headers})

    def _send(self, method: str, path: str, data: Any, headers: dict[str, str]) -> Any:
        send = getattr(self.client, method)
        return send(
            self._url(path),
            json.dumps(data if data is not None else {}),
            content_type="application/json",
            headers={**self.headers, **headers},
        )

    def post(self, path: str, data: Any = None, **headers: str) -> Any:
        return self._send("post", path, data, headers)

    def put(self, path: str, data: Any = None, **headers: str) -> Any:
        return self._send("put", path, data, headers)

    def patch(self, path: str, data: Any = None, **headers: str) -> Any:
        return self._send("patch", path, data, headers)

    def delete(self, path: str, **headers: str) -> Any:
        return self.client.delete(self._url(path), headers={**self.headers, **headers})

    def upload(self, path: str, data: dict[str, Any], **headers: str) -> Any:
        """A multipart POST (files as open files or SimpleUploadedFile)."""
        return self.client.post(self._url(path), data, headers={**self.headers, **headers})

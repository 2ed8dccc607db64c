"""The one composer of Accord's e-mails: subject, text part and HTML part from the same content.

Every message is a content template in two forms, `<name>.txt` and `<name>.html`, rendered
from the same context and placed in one layout (`email/layout.txt`, `email/layout.html`): the
greeting by the person's name, the content, and a footer saying why the person receives the
e-mail and where to choose what they receive. The subject always starts with "Accord: ".
The HTML part carries its styles inline (mail programs drop style sheets), from the site's
colours and type, and stays plain, semantic HTML: headings, paragraphs, lists and links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape, urlize
from django.utils.safestring import SafeString, mark_safe

from . import outbox
from .text import clean_text, shorten

PREFIX = "Accord: "
# Long enough for an employer's name and what waits; mail programs show about this much.
SUBJECT_LENGTH = 150

# The site's colours and type (accord/static/accord/accord.css), written onto each element.
STYLES = {
    "h1": "font-size:24px;line-height:1.25;margin:0 0 16px;color:#0b0c0c;",
    "h2": "font-size:20px;line-height:1.3;margin:24px 0 8px;color:#0b0c0c;",
    "h3": "font-size:18px;line-height:1.3;margin:16px 0 8px;color:#0b0c0c;",
    "p": "margin:0 0 16px;",
    "ul": "margin:0 0 16px;padding-left:24px;",
    "ol": "margin:0 0 16px;padding-left:24px;",
    "li": "margin:0 0 8px;",
    "a": "color:#1d5aa0;text-decoration:underline;",
    "strong": "font-weight:bold;",
}
_TAGS = "|".join(STYLES)
_OPENING_TAG = re.compile(rf"<({_TAGS})(\s[^>]*)?>")


# What a subject must not end on when it is cut: part of a date ("since 7…").
_DATE_WORD = re.compile(
    r"^(\d+\w*|January|February|March|April|May|June|July|August|September|October|November"
    r"|December|since|on|from|until|by)[,.;:]?$",
    re.IGNORECASE,
)


def _heading(subject: str) -> str:
    """The subject in full on one line, without the prefix."""
    subject = " ".join(clean_text(subject).split())
    return subject[len(PREFIX) :] if subject.startswith(PREFIX) else subject


def subject_line(subject: str) -> str:
    """ "Accord: " and the subject on one line. Subjects are short by design (what, and which
    employer); one that is too long anyway is shortened at a word, never inside a date."""
    subject = _heading(subject)
    short = shorten(subject, SUBJECT_LENGTH - len(PREFIX))
    if short != subject:
        words = short[: -len("…")].split()
        while len(words) > 1 and _DATE_WORD.match(words[-1]):
            words.pop()
        short = " ".join(words).rstrip(" ,;:—–-(") + "…"
    return PREFIX + short


def preferences_url() -> str:
    """The page where a signed-in person chooses which e-mails they receive, and how often."""
    return settings.SITE_URL + reverse("email-preferences")


def inline_styles(html: str) -> str:
    """Each heading, paragraph, list and link given the house style in its own attribute."""

    def styled(match: re.Match[str]) -> str:
        tag, attributes = match.group(1), match.group(2) or ""
        if "style=" in attributes:
            return match.group(0)
        return f'<{tag}{attributes} style="{STYLES[tag]}">'

    return _OPENING_TAG.sub(styled, html)


def text_as_html(text: str) -> SafeString:
    """Plain text as HTML paragraphs, its addresses as links: for messages written in text
    only (django-allauth's own)."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    html = []
    for paragraph in paragraphs:
        lines = paragraph.splitlines()
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{urlize(escape(line[2:]))}</li>" for line in lines)
            html.append(f"<ul>{items}</ul>")
        else:
            html.append("<p>" + "<br>".join(urlize(escape(line)) for line in lines) + "</p>")
    return mark_safe("\n".join(html))


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str


def wrap(
    *,
    subject: str,
    text: str,
    html: str,
    name: str,
    reason: str,
    preferences: bool = True,
    what: str = "this",
) -> Composed:
    """Place content (text and HTML) in the layout: greeting, content, why-received footer.
    The HTML heading is the subject in full, even when the subject line had to be cut."""
    line = subject_line(subject)
    layout: dict[str, Any] = {
        "heading": _heading(subject),
        "subject": line,
        "name": name,
        "reason": reason,
        "what": what,
        "preferences_url": preferences_url() if preferences else "",
        "site_url": settings.SITE_URL,
    }
    body = render_to_string("email/layout.txt", {**layout, "content": text.strip()})
    page = render_to_string("email/layout.html", {**layout, "content": mark_safe(html.strip())})
    return Composed(line, body, inline_styles(page))


def render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """The message `template`'s content, as text and as HTML, from the same context."""
    context = {**context, "site_url": settings.SITE_URL}
    text = render_to_string(f"{template}.txt", context).strip()
    html = render_to_string(f"{template}.html", context).strip()
    return text, html


def compose(
    *,
    subject: str,
    template: str,
    context: dict[str, Any],
    name: str,
    reason: str,
    preferences: bool = True,
) -> Composed:
    """Render the message `template` (its .txt and .html) and place it in the layout."""
    text, html = render(template, context)
    return wrap(
        subject=subject,
        text=text,
        html=html,
        name=name,
        reason=reason,
        preferences=preferences,
    )


def queue(*, to: str, composed: Composed) -> outbox.OutboxMessage:
    """Write the composed e-mail to the outbox, in the caller's transaction."""
    return outbox.queue(to=to, subject=composed.subject, body=composed.text, html=composed.html)

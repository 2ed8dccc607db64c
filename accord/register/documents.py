"""What a member receives: the QR code of its verification page, its certificate of membership
and its logo pack."""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import cairosvg
import segno
from django.conf import settings
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from PIL import Image

from accord.core.pdf import html_to_pdf
from accord.enrolments.models import LOGO_TERMS
from accord.membership.models import Membership
from accord.schemes.models import Principle

from .models import RegisterEntry

LOGO_DIR = Path(__file__).resolve().parent.parent / "schemes" / "data"

# --- the QR code ------------------------------------------------------------------------------
# An opaque white square with the quiet zone of 4 modules that the QR standard asks for: scanners
# fail on a code drawn straight onto a dark or transparent page.
QR_BORDER = 4
QR_LIGHT = "#fff"
QR_DARK = "#000"
# Part of every cached QR code's key: raised when the code's look changes, so that copies made
# before (without a background, say) are never served again.
QR_VERSION = 2
QR_CACHE_SECONDS = 7 * 24 * 60 * 60
# Pixels per module of the PNG: about 50 mm wide at 300 dpi, crisp when printed smaller.
QR_PNG_SCALE = 16


def verification_url(membership: Membership) -> str:
    return f"{settings.SITE_URL}{membership.get_absolute_url()}"


def _qr_key(url: str, kind: str) -> str:
    digest = hashlib.sha256(url.encode()).hexdigest()[:40]
    return f"register:qr:v{QR_VERSION}:{kind}:{digest}"


def _qr_code(url: str, kind: str, **options: Any) -> bytes:
    """The QR code of `url` as `kind` (svg or png), made once per address (it never changes
    for one) and kept in the cache."""
    key = _qr_key(url, kind)
    data = caches["default"].get(key)
    if data is None:
        buffer = io.BytesIO()
        segno.make(url, error="m").save(
            buffer, kind=kind, border=QR_BORDER, light=QR_LIGHT, dark=QR_DARK, **options
        )
        data = buffer.getvalue()
        caches["default"].set(key, data, QR_CACHE_SECONDS)
    return data


def qr_svg_for(url: str) -> str:
    return _qr_code(
        url, "svg", scale=6, xmldecl=False, svgns=True, title=f"QR code for {url}"
    ).decode()


def qr_png_for(url: str) -> bytes:
    return _qr_code(url, "png", scale=QR_PNG_SCALE, dpi=300)


def qr_svg(membership: Membership) -> str:
    return qr_svg_for(verification_url(membership))


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


# --- the certificate of membership --------------------------------------------------------------


def readable_filename(employer_name: str, reference: str, what: str) -> str:
    """A file name a person recognises: the employer's name, then what the file is."""
    name = slugify(employer_name)[:80].strip("-") or reference.lower()
    return f"{name}-{what}"


def certificate_filename(employer_name: str, reference: str) -> str:
    return readable_filename(employer_name, reference, "certificate-of-membership.pdf")


def logo_pack_filename(membership: Membership) -> str:
    return readable_filename(membership.employer.name, membership.reference, "logo-pack.zip")


def certificate_pdf(entry: RegisterEntry, url: str, *, today: datetime.date) -> bytes:
    """An A4 certificate of an active membership, from its register row (what the verification
    page shows): the employer, the scheme, member since, the principles met, the verification
    address and its QR code."""
    principles = list(
        Principle.objects.filter(
            scheme_id=entry.scheme_id, number__in=entry.principles_met
        ).order_by("number")
    )
    html = render_to_string(
        "register/certificate.pdf.html",
        {
            "entry": entry,
            "principles": principles,
            "url": url,
            "qr": _data_uri(qr_png_for(url)),
            "today": today,
        },
    )
    return html_to_pdf(
        html,
        title=f"Certificate of membership: {entry.employer_name}",
        author=entry.scheme_name,
        subject=f"{entry.employer_name} is a member of the {entry.scheme_name} "
        f"(reference {entry.reference}). Check it is current at {url}",
    )


# --- the logo pack ------------------------------------------------------------------------------

# The width of the small copy of an uploaded logo, for e-mail signatures and web pages.
SMALL_LOGO_WIDTH = 300
# For print, 2400 pixels at 300 dpi: 200 mm wide, sharp on anything up to an A4 page's width.
PRINT_WIDTH = 2400
PRINT_DPI = 300
# For screens: web pages, presentations, e-mail.
SCREEN_WIDTH = 600
SCREEN_DPI = 96


def logo_svg(membership: Membership) -> str:
    template = (LOGO_DIR / f"{membership.scheme.slug}-logo.svg").read_text(encoding="utf-8")
    return template.replace("{{ reference }}", escape(membership.reference))


def _uploaded_logo(membership: Membership) -> bytes:
    logo = membership.scheme.logo
    if not logo:
        return b""
    try:
        with logo.open("rb") as stored:
            return stored.read()
    except FileNotFoundError:
        return b""


def _small_png(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
        image.thumbnail((SMALL_LOGO_WIDTH, SMALL_LOGO_WIDTH * 4))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def logo_files(membership: Membership) -> dict[str, bytes]:
    """The scheme's uploaded logo (checked and re-encoded on upload) and a small copy of it; the
    placeholder only while no logo has been uploaded."""
    data = _uploaded_logo(membership)
    if data:
        return {"logo.png": data, "logo-small.png": _small_png(data)}
    return {"logo.svg": logo_svg(membership).encode()}


def _logo_image(membership: Membership, uploaded: bytes, width: int) -> Image.Image:
    """The logo `width` pixels wide, on a transparent background: the uploaded PNG resized (an
    upload narrower than that is kept at its own width, since enlarging only blurs it), or the
    placeholder drawn at that width from its SVG."""
    if uploaded:
        with Image.open(io.BytesIO(uploaded), formats=["PNG"]) as opened:
            image = opened.convert("RGBA")
        if image.width > width:
            height = max(1, round(image.height * width / image.width))
            image = image.resize((width, height), Image.Resampling.LANCZOS)
        return image
    png = cairosvg.svg2png(bytestring=logo_svg(membership).encode(), output_width=width)
    with Image.open(io.BytesIO(png)) as drawn:
        return drawn.convert("RGBA")


def _on_white(image: Image.Image) -> Image.Image:
    white = Image.new("RGB", image.size, (255, 255, 255))
    white.paste(image, mask=image.getchannel("A"))
    return white


def _png_bytes(image: Image.Image, dpi: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True, dpi=(dpi, dpi))
    return buffer.getvalue()


def logo_pngs(membership: Membership) -> dict[str, bytes]:
    """The logo at print and screen sizes, each on a transparent background and on white."""
    uploaded = _uploaded_logo(membership)
    files = {}
    for size, width, dpi in (
        ("print", PRINT_WIDTH, PRINT_DPI),
        ("screen", SCREEN_WIDTH, SCREEN_DPI),
    ):
        image = _logo_image(membership, uploaded, width)
        files[f"logo-{size}-transparent.png"] = _png_bytes(image, dpi)
        files[f"logo-{size}-on-white.png"] = _png_bytes(_on_white(image), dpi)
    return files


# What each file of the pack is for, in the order the guide lists them.
PACK_FILES = {
    "logo-print-transparent.png": "the logo for print (2400 pixels wide, 300 dpi), on a "
    "transparent background",
    "logo-print-on-white.png": "the logo for print, on white",
    "logo-screen-transparent.png": "the logo for web pages, presentations and e-mail (600 "
    "pixels wide), on a transparent background",
    "logo-screen-on-white.png": "the logo for screens, on white",
    "logo.png": "the logo as the scheme supplied it",
    "logo-small.png": "a small copy for e-mail signatures (300 pixels wide)",
    "logo.svg": "the logo as a vector drawing, for any size",
    "verification-qr.png": "the QR code of your verification page, for print",
    "verification-qr.svg": "the QR code as a vector drawing",
    "logo-guide.pdf": "this guide",
    "README.txt": "a short note of the same",
}


def logo_guide_pdf(membership: Membership, url: str, files: list[str]) -> bytes:
    """A one-page guide to the logo pack: the terms the employer accepted and when, the
    verification address, and what to do when the membership ends. The pack is public, like
    the verification page, so the guide names no person."""
    enrolment = membership.enrolment
    accepted_at = enrolment.logo_terms_accepted_at
    html = render_to_string(
        "register/logo_guide.pdf.html",
        {
            "membership": membership,
            "url": url,
            "qr": _data_uri(qr_png_for(url)),
            "terms": LOGO_TERMS,
            "accepted_on": timezone.localdate(accepted_at) if accepted_at else None,
            "files": [(name, about) for name, about in PACK_FILES.items() if name in files],
        },
    )
    return html_to_pdf(
        html,
        title=f"Using the {membership.scheme.name} logo: {membership.employer.name}",
        author=membership.scheme.name,
        subject=f"Logo pack of membership {membership.reference}",
    )


def logo_pack(membership: Membership) -> bytes:
    url = verification_url(membership)
    files = {
        **logo_pngs(membership),
        **logo_files(membership),
        "verification-qr.png": qr_png_for(url),
        "verification-qr.svg": qr_svg_for(url).encode(),
    }
    readme = (
        f"{membership.scheme.name} — logo pack for {membership.employer.name}\n\n"
        f"Member reference: {membership.reference}\n"
        f"Verification address: {url}\n\n"
        "Read logo-guide.pdf first: it says which file to use where, the logo terms you "
        "accepted, and what to do if the membership ends.\n\n"
        "Link the logo to the verification address, or print the QR code beside it, so that "
        "anyone can check the membership is current.\n\n"
        "The logo may be used only while the membership is active. If the membership is "
        "suspended, lapses or is withdrawn, stop using it at once.\n"
    )
    names = [*files, "logo-guide.pdf", "README.txt"]
    files["logo-guide.pdf"] = logo_guide_pdf(membership, url, names)
    files["README.txt"] = readme.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as pack:
        for name, data in files.items():
            pack.writestr(name, data)
    return buffer.getvalue()


# A pack takes about a second to draw (PNGs at print size, the guide's PDF): it is kept for a
# day in the shared cache under everything it shows, so repeated downloads cost a cache read.
LOGO_PACK_TIMEOUT = 24 * 60 * 60


def cached_logo_pack(membership: Membership) -> bytes:
    """The logo pack, drawn once for what it shows: the member, its scheme's name and logo,
    the terms accepted and the site's address."""
    shown = (
        membership.reference,
        membership.employer.name,
        membership.scheme.name,
        membership.scheme.logo.name,
        membership.enrolment.logo_terms_accepted_at,
        settings.SITE_URL,
    )
    key = "register:logo-pack:v1:" + hashlib.sha256(repr(shown).encode()).hexdigest()[:40]
    return caches["default"].get_or_set(key, lambda: logo_pack(membership), LOGO_PACK_TIMEOUT)

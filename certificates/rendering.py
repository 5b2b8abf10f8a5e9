"""Certificate PDFs with WeasyPrint: A4 landscape, fonts embedded, PDF/A-3b, a QR code to the verification page.

Speed comes from doing once per worker process what does not change between certificates: the font
configuration, the parsed CSS, the compiled template and the images are cached in a `Renderer`. The QR code is one
small PNG with a fixed mask instead of hundreds of vector rectangles, and the default layout places its blocks at
fixed positions so nothing has to be measured twice. (Laying out a chunk of certificates as one document and
writing each page separately was measured too: on WeasyPrint 70 it costs more CPU per certificate than laying
each out alone, so workers render certificate by certificate and take them in chunks only to save round trips.)

Templates are edited by registrars, so they are rendered by a template engine with no tag libraries, from a
context of plain strings, and WeasyPrint may fetch nothing but the data: URIs we put in (no files, no network).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import io
import logging
import re
import secrets
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import segno
from django.conf import settings
from django.template import Context, Engine, TemplateSyntaxError
from django.utils.html import escape

from certificates.models import RenderFailure
from certificates.storage import private_storage

# WeasyPrint reports every step at INFO; at hundreds of certificates a minute that is noise and costs time.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

TEMPLATE_DIR = Path(settings.BASE_DIR) / "templates" / "certificates" / "pdf"
PDF_VARIANT = "pdf/a-3b"

# `lang` attributes in BCP 47, so that Serbian and Macedonian Cyrillic get their own letter forms (the fonts'
# `locl` feature) and Serbian Latin is not mistaken for Cyrillic.
LANGUAGE_TAGS = {"en": "en", "sq": "sq", "sr": "sr-Cyrl", "sr-latn": "sr-Latn", "mk": "mk", "bs": "bs"}

# The fixed wording of a certificate in each language it can be issued in. A certificate is a formal document
# whose words the issuer agrees once, so they live with the layout rather than in the interface's translation
# catalogue, which may lag behind or be missing on a worker. Sentences avoid grammatical cases and gender, so
# any name fits in the nominative.
WORDING: dict[str, dict[str, str]] = {
    "en": {
        "title": "Certificate",
        "awarded_to": "This certificate is awarded to",
        "completed": "for successfully completing the course",
        "hours": "Hours",
        "period": "Period",
        "issued_on": "Date of issue",
        "serial": "Serial number",
        "verify": "Verify at",
    },
    "sq": {
        "title": "Certifikatë",
        "awarded_to": "Vërtetohet se",
        "completed": "ka përfunduar me sukses kursin",
        "hours": "Numri i orëve",
        "period": "Periudha",
        "issued_on": "Data e lëshimit",
        "serial": "Numri serik",
        "verify": "Verifikoni në",
    },
    "sr": {
        "title": "Сертификат",
        "awarded_to": "Сертификат добија",
        "completed": "за успешно завршен курс",
        "hours": "Фонд часова",
        "period": "Период",
        "issued_on": "Датум издавања",
        "serial": "Серијски број",
        "verify": "Провера на",
    },
    "sr-latn": {
        "title": "Sertifikat",
        "awarded_to": "Sertifikat dobija",
        "completed": "za uspešno završen kurs",
        "hours": "Fond časova",
        "period": "Period",
        "issued_on": "Datum izdavanja",
        "serial": "Serijski broj",
        "verify": "Provera na",
    },
    "mk": {
        "title": "Сертификат",
        "awarded_to": "Сертификатот го добива",
        "completed": "за успешно завршен курс",
        "hours": "Фонд на часови",
        "period": "Период",
        "issued_on": "Датум на издавање",
        "serial": "Сериски број",
        "verify": "Проверка на",
    },
    "bs": {
        "title": "Certifikat",
        "awarded_to": "Certifikat dobija",
        "completed": "za uspješno završen kurs",
        "hours": "Fond sati",
        "period": "Period",
        "issued_on": "Datum izdavanja",
        "serial": "Serijski broj",
        "verify": "Provjera na",
    },
}
CERTIFICATE_LANGUAGES = tuple(WORDING)

# Our part of the stylesheet, not editable: the page and one certificate per page.
BASE_CSS = """
@page { size: A4 landscape; margin: 0; }
html, body { margin: 0; padding: 0; }
section.certificate { position: relative; width: 297mm; overflow: hidden; break-after: page; }
section.certificate:last-child { break-after: auto; }
"""

_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


class RenderError(Exception):
    """Why a certificate could not be rendered: `code` (a RenderFailure) and `params` word it for the reader, in
    their language, when it is shown; the message is the technical detail, in English, with the underlying
    error, for administrators."""

    def __init__(self, detail: str, *, code: str, params: dict | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.params = params or {}

    @property
    def reason(self) -> str:
        return RenderFailure.message(self.code, self.params)


def default_template_source() -> tuple[str, str]:
    """The layout every issuer starts from: (HTML, CSS)."""
    return (
        (TEMPLATE_DIR / "default_certificate.html").read_text(encoding="utf-8"),
        (TEMPLATE_DIR / "default_certificate.css").read_text(encoding="utf-8"),
    )


def format_date(day: dt.date, language: str) -> str:
    # Numeric dates read the same in every regional language and need no declined month names.
    if language == "en":
        return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day:%d.%m.%Y}"


def format_period(start: dt.date, end: dt.date, language: str) -> str:
    return f"{format_date(start, language)} – {format_date(end, language)}"


def qr_png_data_uri(url: str) -> str:
    """The QR code as a small PNG, 4 pixels per module: at one pixel per module, a page rasterised at 150 dpi
    no longer decodes. A fixed mask skips segno's scoring of all eight, which costs more than the rest of the
    code; any mask is valid."""
    code = segno.make(url, error="m", mask=0, micro=False)
    return code.png_data_uri(scale=4, border=4)


@dataclass(frozen=True)
class SignatoryData:
    name: str
    title: str
    signature: str = ""  # a name in private storage, or ""


@dataclass(frozen=True)
class CertificateData:
    """Everything printed on one certificate, as plain values."""

    serial: str
    holder_name: str
    holder_language: str
    language: str
    course_title: str
    course_title_en: str
    hours: int
    start_date: dt.date
    end_date: dt.date
    issued_on: dt.date
    issuer_name: str
    issuer_name_local: str
    issuer_city: str
    verification_url: str
    logo: str = ""  # a name in private storage, or ""
    signatories: tuple[SignatoryData, ...] = field(default_factory=tuple)

    @property
    def bilingual(self) -> bool:
        return self.language != "en"


@dataclass(frozen=True)
class TemplateSource:
    """A template's HTML and CSS; `key` names a saved version so it can be cached, None for a preview."""

    html: str
    css: str
    key: tuple | None = None


# Stored images (logo, signatures) are given to WeasyPrint by this URL scheme rather than inlined as data:
# URIs, so a page's HTML stays small and each image is decoded once per process, not once per certificate.
ASSET_SCHEME = "rehab-asset"
# Longest side of a stored image once prepared for print: 1000 px is 300 dpi over 8.5 cm, more than any logo or
# signature on the certificate needs.
ASSET_MAX_PIXELS = 1000


def _print_ready_jpeg(content: bytes) -> bytes:
    """A stored logo or signature as an RGB JPEG on white. WeasyPrint copies JPEG data into the PDF as it is,
    while a PNG (worse, one with transparency) is decoded and compressed again for every PDF it goes into."""
    from PIL import Image

    with Image.open(io.BytesIO(content)) as original:
        original.load()
        if original.mode in ("RGBA", "LA", "PA") or (original.mode == "P" and "transparency" in original.info):
            rgba = original.convert("RGBA")
            image = Image.new("RGB", rgba.size, "white")
            image.paste(rgba, mask=rgba.getchannel("A"))
        else:
            image = original.convert("RGB")
    image.thumbnail((ASSET_MAX_PIXELS, ASSET_MAX_PIXELS))
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=90, subsampling=0, optimize=True)
    return output.getvalue()


def _document_html(data: CertificateData, body: str, style: str = "") -> str:
    lang = escape(LANGUAGE_TAGS.get(data.language, data.language))
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(data.serial)}</title>{style}'
        f'</head><body><section class="certificate" lang="{lang}">{body}</section></body></html>'
    )


def _engine() -> Engine:
    # No loaders and no tag libraries: {% load %}, {% include %} and {% extends %} find nothing.
    return Engine(dirs=[], app_dirs=False, libraries={}, autoescape=True, string_if_invalid="")


class _LRU(OrderedDict):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key, value) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)

    def fetch(self, key):
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value


class _ImageCache(OrderedDict):
    """WeasyPrint's image cache, kept for the life of the process so stored images are decoded once. Least
    recently used entries go first: every QR code is new and is never looked up again, while the logo and the
    signatures are read by every certificate."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def __getitem__(self, key):
        value = super().__getitem__(key)
        self.move_to_end(key)
        return value

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)


def _url_fetcher(renderer: Renderer):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Fetcher(URLFetcher):
        """data: URIs and our stored images; nothing else, so a template cannot read files or reach the network."""

        def fetch(self, url, headers=None):
            if url.startswith(f"{ASSET_SCHEME}:"):
                name = renderer.asset_names.get(url[len(ASSET_SCHEME) + 1 :])
                if name is None:
                    raise ValueError(f"Unknown image: {url}")
                return URLFetcherResponse(url, body=renderer.asset(name), headers={"Content-Type": "image/jpeg"})
            return super().fetch(url, headers)

    return Fetcher(allowed_protocols=("data", ASSET_SCHEME))


class Renderer:
    """Renders certificates; one per worker process, reused for every task that process runs."""

    def __init__(self) -> None:
        from weasyprint.text.fonts import FontConfiguration

        self.font_config = FontConfiguration()
        self.url_fetcher = _url_fetcher(self)
        self.engine = _engine()
        self._templates: _LRU = _LRU(8)
        self._stylesheets: _LRU = _LRU(8)
        self._assets: _LRU = _LRU(32)
        self.image_cache = _ImageCache(256)
        # Stored images are addressed by a keyed digest of their name, known only to the certificates they
        # belong to: a template cannot name another issuer's signature, even one already in the image cache.
        self._asset_key = secrets.token_bytes(16)
        self.asset_names: dict[str, str] = {}

    def warm_up(self) -> None:
        """Load the fonts the default layout uses, so the first real certificate is not the slow one."""
        from weasyprint import HTML

        HTML(string='<p style="font-family: Noto Serif">a<b>b</b></p><p style="font-family: Noto Sans">c</p>').render(
            font_config=self.font_config
        )

    # ---------------------------------------------------------------- pieces

    def compile(self, source: TemplateSource):
        template = self._templates.fetch(source.key) if source.key else None
        if template is None:
            try:
                template = self.engine.from_string(source.html)
            except TemplateSyntaxError as exc:
                raise RenderError(f"The template has an error: {exc}", code=RenderFailure.TEMPLATE_ERROR) from exc
            if source.key:
                self._templates.put(source.key, template)
        return template

    def stylesheets(self, source: TemplateSource) -> list:
        from weasyprint import CSS

        sheets = self._stylesheets.fetch(source.key) if source.key else None
        if sheets is None:
            sheets = [
                CSS(string=BASE_CSS, font_config=self.font_config, url_fetcher=self.url_fetcher),
                CSS(string=source.css, font_config=self.font_config, url_fetcher=self.url_fetcher),
            ]
            if source.key:
                self._stylesheets.put(source.key, sheets)
        return sheets

    def asset(self, name: str) -> bytes:
        """A stored image, ready for print, read once per process (a stored name never changes content)."""
        content = self._assets.fetch(name)
        if content is None:
            try:
                with private_storage().open(name, "rb") as handle:
                    content = _print_ready_jpeg(handle.read())
            except OSError as exc:
                raise RenderError(
                    f"The image {name} could not be read: {exc}",
                    code=RenderFailure.IMAGE_UNREADABLE,
                    params={"name": name},
                ) from exc
            self._assets.put(name, content)
        return content

    def image(self, name: str) -> str:
        """The URL a template uses for a stored image; "" when there is none."""
        if not name:
            return ""
        self.asset(name)  # fail here, with a clear reason, when the file is missing
        digest = hmac.new(self._asset_key, name.encode(), hashlib.sha256).hexdigest()[:32]
        self.asset_names[digest] = name
        return f"{ASSET_SCHEME}:{digest}"

    def context(self, data: CertificateData) -> dict:
        language = data.language if data.language in WORDING else "en"
        return {
            "lang": LANGUAGE_TAGS.get(language, language),
            "bilingual": data.bilingual,
            "w": WORDING[language],
            "en": WORDING["en"],
            "holder_name": data.holder_name,
            "holder_lang": LANGUAGE_TAGS.get(data.holder_language or language, data.holder_language or language),
            "course_title": data.course_title,
            "course_title_en": data.course_title_en,
            "hours": data.hours,
            "period": format_period(data.start_date, data.end_date, language),
            "period_en": format_period(data.start_date, data.end_date, "en"),
            "issued_on": format_date(data.issued_on, language),
            "issued_on_en": format_date(data.issued_on, "en"),
            "serial": data.serial,
            "verification_url": data.verification_url,
            "qr": qr_png_data_uri(data.verification_url),
            "issuer_name": data.issuer_name_local or data.issuer_name,
            "issuer_name_en": data.issuer_name,
            "issuer_city": data.issuer_city,
            "logo": self.image(data.logo),
            "signatories": [
                {"name": s.name, "title": s.title, "signature": self.image(s.signature)} for s in data.signatories
            ],
        }

    def html(self, source: TemplateSource, data: CertificateData) -> str:
        template = self.compile(source)
        try:
            body = template.render(Context(self.context(data), autoescape=True))
        except RenderError:
            raise
        except Exception as exc:  # a registrar's template can fail in many ways; say how
            raise RenderError(f"The template could not be filled in: {exc}", code=RenderFailure.TEMPLATE_FILL) from exc
        return _document_html(data, body)

    @staticmethod
    def metadata(data: CertificateData):
        from weasyprint.document import DocumentMetadata

        language = data.language if data.language in WORDING else "en"
        return DocumentMetadata(
            title=f"{WORDING[language]['title']} {data.serial}",
            authors=[data.issuer_name],
            lang=LANGUAGE_TAGS.get(language, language),
            created=data.issued_on.isoformat(),
            modified=data.issued_on.isoformat(),
        )

    # ---------------------------------------------------------------- documents

    def render_one(self, source: TemplateSource, data: CertificateData) -> bytes:
        from weasyprint import HTML

        try:
            document = HTML(string=self.html(source, data), url_fetcher=self.url_fetcher).render(
                stylesheets=self.stylesheets(source),
                font_config=self.font_config,
                pdf_variant=PDF_VARIANT,
                cache=self.image_cache,
            )
        except RenderError:
            raise
        except Exception as exc:
            raise RenderError(f"WeasyPrint could not lay out the certificate: {exc}", code=RenderFailure.LAYOUT) from exc
        if len(document.pages) != 1:
            raise RenderError(
                f"The certificate does not fit on one page (it takes {len(document.pages)}); "
                "shorten the text or reduce the font sizes in the template.",
                code=RenderFailure.TOO_LONG,
                params={"pages": len(document.pages)},
            )
        document.metadata = self.metadata(data)
        # A stable file identifier: rendering the same certificate twice gives the same bytes.
        identifier = hashlib.sha256(data.serial.encode()).hexdigest()[:32].encode()
        return document.write_pdf(pdf_variant=PDF_VARIANT, pdf_identifier=identifier)

    def render_many(self, source: TemplateSource, items: Sequence[CertificateData]) -> list[bytes | RenderError]:
        """One PDF, or the reason it failed, per item and in order: one bad certificate fails alone."""
        results: list[bytes | RenderError] = []
        for data in items:
            try:
                results.append(self.render_one(source, data))
            except RenderError as exc:
                results.append(exc)
        return results


_renderer: Renderer | None = None


def renderer() -> Renderer:
    """The process's renderer, made on first use (after a worker process forks, never before)."""
    global _renderer
    if _renderer is None:
        _renderer = Renderer()
    return _renderer


def render_naive(source: TemplateSource, data: CertificateData) -> bytes:
    """One certificate the straightforward way: fresh fonts, CSS and template, stored images inlined as they are,
    the QR code as an SVG with segno's automatic mask. The benchmark's baseline; the application never uses it."""
    from weasyprint import HTML

    def inline(name: str) -> str:
        if not name:
            return ""
        with private_storage().open(name, "rb") as handle:
            return f"data:image/png;base64,{base64.b64encode(handle.read()).decode('ascii')}"

    fresh = Renderer()  # a new font configuration, nothing cached
    context = fresh.context(replace(data, logo="", signatories=tuple(replace(s, signature="") for s in data.signatories)))
    context["logo"] = inline(data.logo)
    for signatory, original in zip(context["signatories"], data.signatories, strict=True):
        signatory["signature"] = inline(original.signature)
    context["qr"] = segno.make(data.verification_url, error="m", micro=False).svg_data_uri(border=4)
    body = fresh.engine.from_string(source.html).render(Context(context, autoescape=True))
    html = _document_html(data, body, style=f"<style>{BASE_CSS}{source.css}</style>")
    return HTML(string=html, url_fetcher=fresh.url_fetcher).write_pdf(font_config=fresh.font_config, pdf_variant=PDF_VARIANT)


# ------------------------------------------------------------------------------------------- disclosure guard

# Words that would tell a reader the holder was in custody, in the six languages certificates are issued in.
# Certificates name the training centre, never the prison.
CUSTODY_WORDS = (
    "prison", "jail", "gaol", "correctional", "penitentiary", "inmate", "detention", "custody", "convict",
    "burg", "të burgosur", "korrektues", "paraburgim",
    "zatvor", "kazneno-popravn", "kaznenopopravn", "pritvor", "osuđen", "robij",
    "затвор", "казнено-поправ", "казненопоправ", "притвор", "осуђен", "робиј", "осуден",
    "kpz", "кпз", "kpd", "кпд",
)
_WORD_RE = re.compile("|".join(re.escape(word) for word in CUSTODY_WORDS), re.IGNORECASE)


def custody_words_in(text: str) -> list[str]:
    """The custody words found in `text`, lower-cased, in order of appearance, without repeats."""
    found: list[str] = []
    for match in _WORD_RE.finditer(text):
        word = match.group(0).lower()
        if word not in found:
            found.append(word)
    return found

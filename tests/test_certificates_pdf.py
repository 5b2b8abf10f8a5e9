"""The PDFs read back: one A4 landscape page, PDF/A-3b, fonts embedded, the right text in the right script, a QR
code that decodes to the verification URL, and nothing that tells a reader the holder was in prison."""

import datetime as dt
import io

import pytest
from django.conf import settings
from PIL import Image
from pypdf import PdfReader

from certificates.models import Certificate
from certificates.rendering import TemplateSource, renderer
from certificates.services import (
    certificate_sample_data,
    certificates_render,
    cohort_issue_certificates,
    issuer_template,
)
from certificates.storage import private_storage
from tests.factories import CourseFactory
from tests.factories_certificates import (
    PRISON_WORDS,
    IssuerFactory,
    SignatoryFactory,
    certified_cohort,
    decode_qr,
    graduate,
)

pytestmark = pytest.mark.django_db
ISSUED = dt.date(2026, 7, 1)


def _png() -> bytes:
    image = io.BytesIO()
    Image.new("RGBA", (200, 60), (20, 30, 60, 255)).save(image, format="PNG")
    return image.getvalue()

COURSE_TITLES = {
    "sq": "Punimi i bizhuterive në filigran",
    "sr": "Израда филигранског накита",
    "sr-latn": "Izrada filigranskog nakita",
    "mk": "Изработка на филигрански накит",
    "bs": "Izrada filigranskog nakita",
}


@pytest.fixture
def issuer():
    issuer = IssuerFactory(
        serial_prefix="VTC-PZ",
        organisation__name="Vocational Training Center Prizren",
        name_translations={"sq": "Qendra e Aftësimit Profesional Prizren"},
    )
    SignatoryFactory(issuer=issuer, name="Bashkim Tejeci", title="Filigree master coach")
    return issuer


def _rendered(issuer, language: str, *people: tuple[str, str]) -> list[Certificate]:
    course = CourseFactory(
        issuer=issuer.organisation, title="Filigree jewellery making", title_translations=COURSE_TITLES,
        language=language, planned_hours=300,
    )
    cohort, sessions = certified_cohort(issuer=issuer, course=course, start_date=dt.date(2025, 3, 3), end_date=dt.date(2026, 2, 12))
    for first, last in people:
        graduate(cohort, sessions, first_name=first, last_name=last)
    batch = cohort_issue_certificates(cohort=cohort, by=None, today=ISSUED, enqueue=False)
    certificates_render(certificate_ids=list(batch.certificates.values_list("pk", flat=True)))
    return list(batch.certificates.order_by("serial_number"))


def _pdf(certificate: Certificate) -> bytes:
    with private_storage().open(certificate.pdf.name, "rb") as handle:
        return handle.read()


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _embedded_font_files(pdf: bytes) -> list[bytes]:
    fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    files = []
    for font in fonts.values():
        descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        files.append(descriptor["/FontFile2"].get_object().get_data())
    return files


def test_a_certificate_is_one_a4_landscape_page_in_pdf_a_3b_with_its_fonts_embedded(issuer, private_media):
    (certificate,) = _rendered(issuer, "sq", ("Arta", "Krasniqi"))
    pdf = _pdf(certificate)

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # 297 x 210 mm
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp
    assert 'pdfaid:conformance="B"' in xmp
    assert reader.trailer["/Root"]["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    assert sorted(str(f["/BaseFont"]).split("+")[1] for f in fonts) == ["Noto-Serif", "Noto-Serif-Bold"]
    assert len(_embedded_font_files(pdf)) == 2
    assert reader.metadata.title == "Certifikatë VTC-PZ-2026-000001"
    assert certificate.pdf_sha256 and len(pdf) < 60_000


@pytest.mark.parametrize("language", ["sq", "sr", "sr-latn", "mk", "bs"])
def test_the_text_reads_back_in_both_languages_with_names_in_cyrillic_and_latin(issuer, private_media, language):
    certificates = _rendered(issuer, language, ("Јелена", "Петровић"), ("Arta", "Krasniqi"))

    texts = {c.holder_name: _text(_pdf(c)) for c in certificates}

    assert "Јелена Петровић" in texts["Јелена Петровић"]
    assert "Arta Krasniqi" in texts["Arta Krasniqi"]
    for certificate in certificates:
        text = texts[certificate.holder_name]
        assert certificate.serial in text
        assert COURSE_TITLES[language] in text
        assert "Filigree jewellery making" in text
        assert "Vocational Training Center Prizren" in text
        assert "Bashkim Tejeci" in text
        assert "03.03.2025 – 12.02.2026" in text
        assert "300" in text


def test_no_certificate_names_the_prison_the_facility_or_the_inmate_number(issuer, private_media):
    certificates = []
    for language in ["sq", "sr", "sr-latn", "mk", "bs", "en"]:
        certificates += _rendered(issuer, language, ("Јелена", "Петровић"), ("Arta", "Krasniqi"))
    assert len(certificates) == 12

    for certificate in certificates:
        text = _text(_pdf(certificate)).lower()
        facility = certificate.enrolment.cohort.facility
        inmate = certificate.enrolment.inmate
        assert facility.name.lower() not in text
        assert facility.city.lower() not in text
        assert facility.prison_service.name.lower() not in text
        assert inmate.registration_number.lower() not in text
        found = [word for words in PRISON_WORDS.values() for word in words if word in text]
        assert found == [], certificate.serial


def test_the_qr_code_decodes_to_the_absolute_verification_url(issuer, private_media, tmp_path):
    (certificate,) = _rendered(issuer, "sr", ("Јелена", "Петровић"))

    decoded = decode_qr(_pdf(certificate), tmp_path)

    assert decoded == f"{settings.SITE_URL}/verify/{certificate.verification_token}/"


def test_the_lang_of_the_course_language_selects_serbian_and_macedonian_letter_forms(issuer, private_media):
    """The same Cyrillic title is drawn with other glyphs when marked Serbian or Macedonian than when marked
    Russian: the fonts' localised forms are applied, so `lang` reaches the text shaper."""
    probe = TemplateSource(html='<p style="font-style: italic" lang="{{ lang }}">{{ course_title }}</p>', css="")
    generic = TemplateSource(html='<p style="font-style: italic" lang="ru">{{ course_title }}</p>', css="")

    def glyphs(source, language):
        data = certificate_sample_data(issuer=issuer, language=language)
        return _embedded_font_files(renderer().render_one(source, data))

    assert glyphs(probe, "sr") != glyphs(generic, "sr")
    assert glyphs(probe, "mk") != glyphs(generic, "mk")


def test_the_default_layout_marks_each_language(issuer, private_media):
    source = TemplateSource(html=issuer_template(issuer=issuer).html, css="")

    html = renderer().html(source, certificate_sample_data(issuer=issuer, language="sr"))

    assert '<h1 lang="sr-Cyrl">Сертификат</h1>' in html
    assert '<p class="title-en" lang="en">Certificate</p>' in html
    assert '<p class="course" lang="sr-Cyrl">Израда филигранског накита</p>' in html
    assert '<p class="holder" lang="sr-Cyrl">Јелена Петровић</p>' in html


def test_a_template_cannot_read_files_or_the_network(issuer, private_media):
    source = TemplateSource(
        html='<img src="file:///etc/hostname"><img src="http://127.0.0.1:9/x.png"><p>{{ serial }}</p>',
        css='@import url("file:///etc/passwd"); p { background: url("file:///etc/hostname"); }',
    )

    pdf = renderer().render_one(source, certificate_sample_data(issuer=issuer, language="en"))

    reader = PdfReader(io.BytesIO(pdf))
    assert reader.pages[0]["/Resources"]["/XObject"] == {}
    assert _text(pdf).strip() == f"{issuer.serial_prefix}-{dt.date.today().year}-000123"


def test_a_template_cannot_embed_another_issuers_stored_images(issuer, private_media):
    other = IssuerFactory(serial_prefix="OTHER")
    signature = private_storage().write_atomic("issuers/other/signature.png", _png())
    SignatoryFactory(issuer=other, name="Someone Else", title="Director", signature=signature)
    # The other issuer's certificate is rendered first, so its signature sits in the process's image cache.
    others = renderer().render_one(
        TemplateSource(html='{% for s in signatories %}<img src="{{ s.signature }}">{% endfor %}', css="", key=("o", 1)),
        certificate_sample_data(issuer=other, language="en"),
    )
    assert len(PdfReader(io.BytesIO(others)).pages[0]["/Resources"]["/XObject"]) == 1
    guesses = [f"rehab-asset:{signature}", "rehab-asset:issuers/other/signature.png", f"file://{private_media / signature}"]
    source = TemplateSource(html="".join(f'<img src="{url}">' for url in guesses) + "<p>{{ serial }}</p>", css="")

    pdf = renderer().render_one(source, certificate_sample_data(issuer=issuer, language="en"))

    assert PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/XObject"] == {}

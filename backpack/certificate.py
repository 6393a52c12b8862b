"""A PDF certificate of an issued badge, in Dutch or English, with a QR code to its page."""

from __future__ import annotations

import io

from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from badges import baked_images, links
from badges.models import Assertion


def _text(obj, field: str, language: str) -> str:
    other = "en" if language == "nl" else "nl"
    return getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_{other}", "")


def _lines(pdf: canvas.Canvas, text: str, x: float, y: float, width: float, size: int) -> float:
    """Draw wrapped text; return the y below it."""
    pdf.setFont("Helvetica", size)
    for paragraph in text.splitlines() or [""]:
        words, line = paragraph.split(), ""
        for word in words:
            candidate = f"{line} {word}".strip()
            if pdf.stringWidth(candidate, "Helvetica", size) > width and line:
                pdf.drawString(x, y, line)
                y -= size * 1.35
                line = word
            else:
                line = candidate
        pdf.drawString(x, y, line)
        y -= size * 1.35
    return y


def _details(assertion: Assertion, language: str) -> list[tuple[str, str]]:
    badge_class = assertion.badge_class
    rows = [(_("Type"), str(badge_class.get_badge_type_display()))]
    if badge_class.study_load_ects:
        rows.append((_("Study load"), f"{badge_class.study_load_ects} ECTS"))
    if badge_class.study_load_hours:
        rows.append(
            (_("Study load"), _("%(hours)d hours") % {"hours": badge_class.study_load_hours})
        )
    if badge_class.eqf_level:
        rows.append((_("EQF level"), str(badge_class.eqf_level)))
    if badge_class.nlqf_level:
        rows.append((_("NLQF level"), str(badge_class.get_nlqf_level_display())))
    if badge_class.assessment_type:
        rows.append((_("Type of assessment"), str(badge_class.get_assessment_type_display())))
    if badge_class.participation:
        rows.append((_("Form of participation"), str(badge_class.get_participation_display())))
    if badge_class.quality_assurance_name:
        rows.append((_("Quality assurance"), badge_class.quality_assurance_name))
    if assertion.grade:
        rows.append((_("Grade"), assertion.grade))
    if assertion.expires_at:
        rows.append((_("Valid until"), formats.date_format(assertion.expires_at, "DATE_FORMAT")))
    return rows


def certificate_pdf(assertion: Assertion, language: str) -> bytes:
    with translation.override(language):
        return _render(assertion, language)


def _render(assertion: Assertion, language: str) -> bytes:
    badge_class = assertion.badge_class
    issuer = badge_class.issuer
    institution = issuer.faculty.institution
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=landscape(A4))
    pdf.setTitle(f"{_text(badge_class, 'name', language)} – {assertion.recipient_name}")
    pdf.setAuthor(_text(institution, "name", language))
    pdf.setStrokeColorRGB(0.07, 0.15, 0.25)
    pdf.setLineWidth(3)
    pdf.rect(1.2 * cm, 1.2 * cm, width - 2.4 * cm, height - 2.4 * cm)

    pdf.setFont("Helvetica-Bold", 28)
    pdf.drawCentredString(width / 2, height - 3.5 * cm, _("Certificate"))
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(width / 2, height - 4.7 * cm, _("This certifies that"))
    pdf.setFont("Helvetica-Bold", 22)
    pdf.drawCentredString(
        width / 2, height - 6 * cm, assertion.recipient_name or _("the holder of this badge")
    )
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(width / 2, height - 7.1 * cm, _("has earned"))
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawCentredString(width / 2, height - 8.3 * cm, _text(badge_class, "name", language))

    image = baked_images.baked(assertion, baked_images.PNG)
    if image:
        pdf.drawImage(
            ImageReader(io.BytesIO(image)),
            2.5 * cm,
            height - 9 * cm,
            4.5 * cm,
            4.5 * cm,
            mask="auto",
        )

    y = height - 9.6 * cm
    y = _lines(pdf, _text(badge_class, "description", language), 2.5 * cm, y, width - 12 * cm, 11)
    y -= 0.3 * cm
    for label, value in _details(assertion, language):
        pdf.setFont("Helvetica-Bold", 10)
        pdf.drawString(2.5 * cm, y, f"{label}:")
        pdf.setFont("Helvetica", 10)
        pdf.drawString(7 * cm, y, value)
        y -= 0.5 * cm

    pdf.setFont("Helvetica", 11)
    issued = formats.date_format(assertion.issued_on, "DATE_FORMAT")
    pdf.drawString(
        2.5 * cm,
        2.6 * cm,
        _("Issued on %(date)s by %(issuer)s, %(institution)s")
        % {
            "date": issued,
            "issuer": _text(issuer, "name", language),
            "institution": _text(institution, "name", language),
        },
    )
    pdf.setFont("Helvetica", 8)
    url = links.assertion_url(assertion)
    pdf.drawString(2.5 * cm, 2 * cm, _("Verify at %(url)s") % {"url": url})

    qr = QrCodeWidget(url)
    left, bottom, right, top = qr.getBounds()
    size = 4 * cm
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(qr)
    renderPDF.draw(drawing, pdf, width - 6.5 * cm, 2 * cm)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()

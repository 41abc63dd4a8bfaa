"""The demo's USB key: documents whose text content search finds, all benign and written here.

A rental contract in Dutch (.docx) for Kerkstraat 12, 9000 Gent, a French letter about the rent
(.pdf with a text layer), meeting notes (.odt) and a web page (.html), a mailbox of four messages
(.mbox: one gives a phone number, one an IBAN; the first carries the contract, the last a drawn
plan, as attachments that become files of their own), an Outlook message (.msg) with the inventory
of the flat attached, and a scanned page: a picture of printed text
(.png) and the same page as a PDF with no text layer, as a scanner writes it, whose words only OCR
reads. Every name, address, number and account is fictitious (example.org addresses; the IBAN is
the one banks publish as an example of the Belgian format).
"""

import io
import mimetypes
import zipfile
from email.message import EmailMessage
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from demo.outlook import OutlookMail, msg_bytes

DOCUMENTS_SEAL = "SC-2026-0009"
PHONE = "+32 470 12 34 56"
IBAN = "BE71 0961 2345 6769"
STREET = "Zonnebloemstraat"  # only in the scanned page: found by OCR alone
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

CONTRACT = [
    "HUUROVEREENKOMST",
    "Tussen de verhuurder, Jan Voorbeeld, en de huurder, Sara Fictief,",
    "wordt het appartement gelegen te Kerkstraat 12, 9000 Gent verhuurd.",
    "De maandelijkse huurprijs bedraagt 850 euro, te betalen voor de vijfde van elke maand.",
    "De waarborg bedraagt twee maanden huur. Opgemaakt te Gent in twee exemplaren.",
]
LETTER = [
    "Bruxelles, le 3 novembre 2025",
    "Madame, Monsieur,",
    "Je vous confirme la location de l'appartement situé Kerkstraat 12 à Gand.",
    "Le loyer de 850 euros est à verser chaque mois sur le compte indiqué.",
    "Veuillez agréer mes salutations distinguées. Jan Voorbeeld",
]
NOTES = [
    "Verslag vergadering / compte rendu de réunion",
    "Aanwezig: Jan Voorbeeld, Sara Fictief",
    "De sleutels worden afgegeven op vrijdag. Les clés sont remises vendredi.",
]
MESSAGES = [
    (
        "jan.voorbeeld@example.org",
        "sara.fictief@example.org",
        "Huurcontract Kerkstraat 12",
        f"Dag Sara,\n\nIn bijlage het huurcontract. Bel me gerust op {PHONE} als er vragen zijn.\n\nJan",
    ),
    (
        "sara.fictief@example.org",
        "jan.voorbeeld@example.org",
        "Paiement du loyer",
        "Bonjour Jan,\n\nSur quel compte dois-je verser le loyer ?\n\nSara",
    ),
    (
        "jan.voorbeeld@example.org",
        "sara.fictief@example.org",
        "Re: Paiement du loyer",
        f"Bonjour Sara,\n\nLe loyer est à verser sur le compte {IBAN} au nom de J. Voorbeeld.\n\nJan",
    ),
    (
        "sara.fictief@example.org",
        "jan.voorbeeld@example.org",
        "Sleutels",
        "Hoi Jan,\n\nVrijdag om 18 uur voor de sleutels is goed voor mij.\n\nSara",
    ),
]
INVENTORY = "Inventaris Kerkstraat 12\nKeuken: koelkast, fornuis\nWoonkamer: zetel, tafel, vier stoelen\n"
SCAN = [
    "Verhuisbericht",
    "Vanaf 1 december wonen wij in de",
    f"{STREET} 7, 9000 Gent.",
    "Ons nummer blijft hetzelfde:",
    PHONE,
]


def demo_documents(folder: Path) -> Path:
    """Write the USB key's documents under ``folder``; return it."""
    (folder / "Documenten").mkdir(parents=True, exist_ok=True)
    (folder / "Mail").mkdir(exist_ok=True)
    (folder / "Scans").mkdir(exist_ok=True)
    (folder / "Documenten" / "huurcontract-kerkstraat.docx").write_bytes(docx_bytes(CONTRACT))
    (folder / "Documenten" / "lettre-loyer.pdf").write_bytes(text_pdf_bytes(LETTER))
    (folder / "Documenten" / "vergadering.odt").write_bytes(odt_bytes(NOTES))
    (folder / "Documenten" / "advertentie.html").write_text(
        "<!doctype html><html><head><title>Te huur: appartement Gent</title></head><body>"
        "<h1>Te huur</h1><p>Appartement, Kerkstraat 12, 9000 Gent. 850 euro per maand.</p></body></html>",
        encoding="utf-8",
    )
    attachments = {
        0: [("huurcontract-kerkstraat.docx", docx_bytes(CONTRACT))],
        3: [("plan-appartement.png", plan_png())],
    }
    (folder / "Mail" / "inbox.mbox").write_bytes(mbox_bytes(MESSAGES, attachments))
    (folder / "Mail" / "inventaris.msg").write_bytes(
        msg_bytes(
            OutlookMail(
                subject="Inventaris appartement",
                sender=("Jan Voorbeeld", "jan.voorbeeld@example.org"),
                to=[("Sara Fictief", "sara.fictief@example.org")],
                body="Dag Sara,\n\nHierbij de inventaris van het appartement.\n\nJan",
                attachments=[("inventaris.txt", INVENTORY.encode())],
            )
        )
    )
    page = scanned_page(SCAN)
    page.save(folder / "Scans" / "scan-001.png")
    page.convert("RGB").save(folder / "Scans" / "scan-001.pdf", "PDF", resolution=150)
    return folder


def _zip(parts: list[tuple[str, str]], stored_first: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, content) in enumerate(parts):
            compression = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=compression)
    return out.getvalue()


def docx_bytes(paragraphs: list[str]) -> bytes:
    """A minimal Word document: its content types, its relationship to the main part, the part."""
    word = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t xml:space='preserve'>{escape(text)}</w:t></w:r></w:p>" for text in paragraphs)
    return _zip(
        [
            (
                "[Content_Types].xml",
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/word/document.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
            ),
            (
                "_rels/.rels",
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships/officeDocument" Target="word/document.xml"/></Relationships>',
            ),
            (
                "word/document.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{word}">'
                f"<w:body>{body}</w:body></w:document>",
            ),
        ]
    )


def odt_bytes(paragraphs: list[str]) -> bytes:
    """A minimal OpenDocument text: its mimetype first and stored, its content, its manifest."""
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    manifest = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
    body = "".join(f"<text:p>{escape(paragraph)}</text:p>" for paragraph in paragraphs)
    return _zip(
        [
            ("mimetype", "application/vnd.oasis.opendocument.text"),
            (
                "content.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{office}" '
                f'xmlns:text="{text}" office:version="1.2"><office:body><office:text>{body}'
                "</office:text></office:body></office:document-content>",
            ),
            (
                "META-INF/manifest.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="{manifest}" '
                'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry '
                'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>',
            ),
        ],
        stored_first=True,
    )


def text_pdf_bytes(lines: list[str]) -> bytes:
    """A one-page PDF of ``lines`` in Helvetica (WinAnsi: French accents), with a text layer."""

    def literal(line: str) -> bytes:
        return b"(" + line.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"

    content = b"BT /F1 12 Tf 72 760 Td 18 TL " + b" ".join(literal(line) + b" Tj T*" for line in lines) + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>"
        b" /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def mbox_bytes(messages: list[tuple[str, str, str, str]], attachments: dict | None = None) -> bytes:
    """A mailbox (mbox) of ``messages`` (from, to, subject, body), a minute apart; ``attachments``:
    message index -> (name, bytes) attached to it."""
    out = []
    for minute, (sender, to, subject, body) in enumerate(messages):
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = sender, to, subject
        mail["Date"] = f"Mon, 03 Nov 2025 10:{minute:02d}:00 +0100"
        mail.set_content(body + "\n", cte="8bit")
        for name, data in (attachments or {}).get(minute, []):
            maintype, subtype = (mimetypes.guess_type(name)[0] or "application/octet-stream").split("/")
            mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
        out.append(f"From {sender} Mon Nov  3 10:{minute:02d}:00 2025\n".encode() + mail.as_bytes() + b"\n")
    return b"".join(out)


def plan_png() -> bytes:
    """A floor plan drawn in a few lines: the flat's rooms, named."""
    font = ImageFont.truetype(FONT, 18)
    image = Image.new("RGB", (360, 240), "white")
    draw = ImageDraw.Draw(image)
    for box, name in (
        ((10, 10, 200, 150), "Woonkamer"),
        ((200, 10, 350, 150), "Keuken"),
        ((10, 150, 350, 230), "Slaapkamer"),
    ):
        draw.rectangle(box, outline="black", width=3)
        draw.text((box[0] + 10, box[1] + 10), name, font=font, fill="black")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def scanned_page(lines: list[str]) -> Image.Image:
    """A page of printed ``lines`` as a scanner gives it: greyish paper, the text a little soft."""
    font = ImageFont.truetype(FONT, 44)
    page = Image.new("L", (1240, 160 + 90 * len(lines)), 236)
    draw = ImageDraw.Draw(page)
    for number, line in enumerate(lines):
        draw.text((90, 80 + 90 * number), line, font=font, fill=25)
    return page.filter(ImageFilter.GaussianBlur(0.6))

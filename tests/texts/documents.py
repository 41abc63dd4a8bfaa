"""Benign documents written at test time: docx, xlsx and odt as zips of XML, a PDF by hand, an e-mail."""

import io
import zipfile
import zlib
from email.message import EmailMessage
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.document.main+xml"/></Types>'
)


def _zip(parts: dict[str, bytes | str], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx_bytes(*paragraphs: str, extra: dict | None = None) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{escape(text)}</w:t></w:r></w:p>" for text in paragraphs)
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    return _zip({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": document, **(extra or {})})


def docx_bomb_bytes(size: int) -> bytes:
    """A docx whose document part inflates to ``size`` bytes of spaces (a few kilobytes in the zip)."""
    document = (
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>bomb'
        + " " * size
        + "</w:t></w:r></w:p></w:body></w:document>"
    )
    return _zip({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": document})


def xlsx_bytes(shared: list[str], number: str) -> bytes:
    strings = "".join(f"<si><t>{escape(text)}</t></si>" for text in shared)
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    cells = "".join(f'<c r="A{i + 1}" t="s"><v>{i}</v></c>' for i in range(len(shared)))
    return _zip(
        {
            "xl/sharedStrings.xml": f'<sst xmlns="{main}">{strings}</sst>',
            "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData><row r="1">{cells}'
            f'<c r="B1"><v>{number}</v></c></row></sheetData></worksheet>',
        }
    )


def odt_bytes(*paragraphs: str) -> bytes:
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    body = "".join(f"<text:p>{escape(p[:4])}<text:span>{escape(p[4:])}</text:span></text:p>" for p in paragraphs)
    content = (
        f'<office:document-content xmlns:office="{office}" xmlns:text="{text}"><office:body><office:text>'
        f"{body}</office:text></office:body></office:document-content>"
    )
    return _zip(
        {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": content},
        compression=zipfile.ZIP_STORED,
    )


def pdf_bomb_bytes(size: int) -> bytes:
    """A one-page PDF whose content stream inflates to ``size`` bytes (a few hundred KB as written)."""
    packer = zlib.compressobj(9)
    stream = packer.compress(b"BT /F1 12 Tf 72 720 Td (bomb) Tj ET ")
    for _block in range(size >> 20):
        stream += packer.compress(b" " * (1 << 20))
    return pdf_bytes(stream=stream + packer.flush())


def pdf_bytes(*pages: str, stream: bytes | None = None) -> bytes:
    """A PDF of one line of Helvetica per page (ASCII), written by hand with a correct xref table;
    ``stream``: one page of that deflated content stream instead."""
    count = len(pages) or 1
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [" + " ".join(f"{4 + 2 * i} 0 R" for i in range(count)) + f"] /Count {count} >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for number, text in enumerate(pages or [""]):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        content = stream if stream is not None else f"BT /F1 12 Tf 72 720 Td ({escaped}) Tj ET".encode("latin-1")
        flate = " /Filter /FlateDecode" if stream is not None else ""
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>"
            f" /Contents {5 + 2 * number} 0 R >>"
        )
        objects.append(f"<< /Length {len(content)}{flate} >>\nstream\n".encode() + content + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for index, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        body = body if isinstance(body, bytes) else body.encode("latin-1")
        out.write(f"{index} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def encrypted_pdf_bytes(text: str, *, user_password: str) -> bytes:
    """``pdf_bytes(text)`` encrypted (RC4-128): ``user_password`` opens it ("" : an owner password only)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(text))))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def eml_bytes(*, sender: str, to: str, subject: str, body: str, html: str = "", attachment: str = "") -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, to, subject
    mail["Date"] = "Mon, 07 Dec 2026 09:00:00 +0100"
    mail.set_content(body)
    if html:
        mail.add_alternative(html, subtype="html")
    if attachment:
        mail.add_attachment(b"benign", maintype="application", subtype="octet-stream", filename=attachment)
    return bytes(mail)


FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def text_picture(*lines: str, width: int = 900, font_size: int = 36):
    """A benign picture of ``lines`` of black text on white (a page photographed or scanned)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, font_size)
    image = Image.new("RGB", (width, 40 + len(lines) * font_size * 2), "white")
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((30, 20 + number * font_size * 2), line, font=font, fill="black")
    return image


def picture_bytes(image, format: str = "PNG") -> bytes:
    out = io.BytesIO()
    image.save(out, format)
    return out.getvalue()


def scanned_pdf_bytes(*images) -> bytes:
    """A PDF of one picture per page and no text layer, as a scanner writes (Pillow's PDF writer)."""
    out = io.BytesIO()
    first, *rest = [image.convert("RGB") for image in images]
    first.save(out, "PDF", resolution=150, save_all=True, append_images=rest)
    return out.getvalue()


def pdf_page_tree_bomb_bytes(levels: int) -> bytes:
    """A PDF whose page tree doubles at each of ``levels`` levels (each node's Kids name the next node
    twice): 2**levels pages from a few hundred bytes."""
    objects: list[str | bytes] = ["<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(levels):
        child = 3 + level
        objects.append(f"<< /Type /Pages /Kids [{child} 0 R {child} 0 R] /Count {2 ** (levels - level)} >>")
    objects.append(f"<< /Type /Page /Parent {levels + 1} 0 R /MediaBox [0 0 612 792] /Contents {levels + 3} 0 R >>")
    objects.append(b"<< /Length 0 >>\nstream\n\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for index, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        body = body if isinstance(body, bytes) else body.encode("latin-1")
        out.write(f"{index} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def nested_mbox_bytes(depth: int, *, then: str = "") -> bytes:
    """A mailbox whose first message holds a message (message/rfc822) that holds a message... ``depth``
    deep; ``then``: the body of a plain second message."""
    inner = b"From: a@example.org\r\nSubject: inner\r\n\r\ndeepword\r\n"
    for level in range(depth):
        inner = b"From: a@example.org\r\nSubject: level %d\r\nContent-Type: message/rfc822\r\n\r\n" % level + inner
    mailbox = b"From a@example.org Mon Dec  7 09:00:00 2026\r\n" + inner
    if then:
        mailbox += (
            b"\r\nFrom b@example.org Mon Dec  7 09:05:00 2026\r\nFrom: b@example.org\r\nSubject: fine\r\n\r\n"
            + then.encode()
            + b"\r\n"
        )
    return mailbox


def noisy_picture(side: int):
    """A picture of random grey noise: Tesseract looks for letters in every speck of it, for long."""
    from PIL import Image

    return Image.effect_noise((side, side), 120).convert("RGB")

"""HTML to PDF with WeasyPrint, which needs Debian's pango libraries (bin/system-packages installs them).

WeasyPrint is imported on first use, so that a machine without pango still serves every page and
the HTML reports; only the PDF answers with an explanation (PdfUnavailable).
"""

from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from PIL import ImageFile


class PdfUnavailable(Exception):
    """WeasyPrint or the system libraries it loads (pango, fontconfig) are missing."""


def _import_weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as error:
        raise PdfUnavailable(str(error)) from error
    # WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process when imported; a
    # truncated photo would then decode without error and never be reported as damaged. Reports
    # hold no image, so turn it back off.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return weasyprint


def static_stylesheet(url: str) -> bytes:
    """The content of one of the application's own stylesheets named by its /static/ URL, else ValueError.

    Nothing else is ever fetched: no request leaves the machine (air gap), and no image can reach a
    court report, even by mistake.
    """
    path = urlparse(url).path
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    name = path[len(prefix) :] if path.startswith(prefix) else ""
    found = finders.find(name) if name.endswith(".css") else None
    if not found:
        raise ValueError(f"refused to fetch {url!r}: reports load only their own stylesheets")
    with open(found, "rb") as handle:
        return handle.read()


def html_to_pdf(html: str) -> bytes:
    """Render ``html``, whose <link rel=stylesheet> point at /static/, to PDF bytes."""
    weasyprint = _import_weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            return URLFetcherResponse(url, body=static_stylesheet(url), headers={"Content-Type": "text/css"})

    try:
        document = weasyprint.HTML(string=html, base_url="http://scelle.invalid/", url_fetcher=StaticOnlyFetcher())
        return document.write_pdf()
    except OSError as error:
        raise PdfUnavailable(str(error)) from error

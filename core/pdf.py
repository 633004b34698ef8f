"""HTML to PDF with WeasyPrint: the bundled CJK font first, A4 by default, no network.

The bundled font (core/fonts/, a subset of WenQuanYi Micro Hei) makes every PDF look the same on
every server, whatever fonts the machine has; it holds the whole basic CJK block. Names also use
CJK Extension A (䶮) and B (𠮷): those fall back per glyph to the Hanazono fonts of the Debian
package fonts-hanazono (HanaMinA: Ext-A; HanaMinB: all of Ext-B and C–F; OFL-1.1), which the README
lists as a requirement — all of Ext-B would add some 22 MB to the repository. Without them a
system CJK font may stand in; with none, such a character prints blank.
"""

import atexit
import threading
from pathlib import Path

# No WeasyPrint here: with Pango and fontTools it takes about a second to import, so each function
# below imports it on the first PDF, and `flask` commands and worker starts stay quick.
FONT_PATH = Path(__file__).resolve().parent / "fonts" / "wqy-microhei-subset.ttf"
# Our own family name, so a system copy of WenQuanYi can never silently stand in for the bundle.
FONT_FAMILY = "WQY MicroHei Bundled"
# Hanazono first, so that a server set up as the README says prints every name the same way.
FALLBACK_FAMILIES = '"HanaMinA", "HanaMinB", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", sans-serif'
ALLOWED_SCHEMES = ("file", "data")

BASE_CSS = f"""
@font-face {{
  font-family: "{FONT_FAMILY}";
  src: url("{FONT_PATH.as_uri()}") format("truetype");
}}
@page {{ size: A4; margin: 18mm 15mm; }}
html {{ font-family: "{FONT_FAMILY}", {FALLBACK_FAMILIES}; font-size: 11pt; line-height: 1.5; }}
"""

# One font configuration and parsed base stylesheet per thread: loading the 3 MB font once
# saves about a third of each render (~15 of ~45 ms), and WeasyPrint objects are not
# documented as thread-safe, so threads do not share them.
_local = threading.local()


@atexit.register
def _release_base() -> None:
    # Left to the interpreter's last teardown, the main thread's font configuration frees its GLib
    # objects after what Pango needs for that is gone: the process then ended in a segfault (exit
    # 139, which failed CI after every test had passed). Freed here, everything is still alive.
    if hasattr(_local, "base"):
        del _local.base


def local_fetcher():
    """A URL fetcher that reads only file: and data: URLs, so a PDF never touches the network."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=ALLOWED_SCHEMES, timeout=5)


def _base():
    if not hasattr(_local, "base"):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        stylesheet = CSS(string=BASE_CSS, font_config=font_config, url_fetcher=local_fetcher())
        _local.base = (font_config, stylesheet)
    return _local.base


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """PDF bytes for an HTML page; the page's own CSS overrides the default font, size and margins."""
    from weasyprint import HTML

    font_config, stylesheet = _base()
    document = HTML(string=html, base_url=base_url, url_fetcher=local_fetcher())
    return document.write_pdf(stylesheets=[stylesheet], font_config=font_config)

"""QR codes for notice boards, PDFs (PNG) and web pages (inline SVG)."""

import base64
import io

# qrcode (and Pillow behind it) is imported when the first code is drawn, not with the app.

BORDER = 4  # the quiet zone the standard asks for; scanners struggle with less


def _code(data: str, box_size: int, image_factory):
    import qrcode

    # M (15% recovery) survives a weathered or partly dirty printout on a village notice board
    # while keeping the code small enough for a phone to read from a metre away.
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M, box_size=box_size, border=BORDER, image_factory=image_factory
    )
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_png(data: str, box_size: int = 8) -> bytes:
    """A black-on-white PNG of the QR code, box_size pixels per module."""
    from qrcode.image.pil import PilImage

    buffer = io.BytesIO()
    _code(data, box_size, PilImage).make_image().save(buffer)
    return buffer.getvalue()


def qr_data_uri(data: str, box_size: int = 8) -> str:
    """The PNG as a data: URI for <img src> in PDFs and e-mails."""
    return "data:image/png;base64," + base64.b64encode(qr_png(data, box_size)).decode("ascii")


def qr_svg(data: str, *, label: str = "二维码") -> str:
    """An inline <svg> (one path on white, no script or style attributes) for HTML pages."""
    from qrcode.compat.etree import ET
    from qrcode.image.svg import SvgPathFillImage

    image = _code(data, 10, SvgPathFillImage).make_image()
    svg = image.get_image()
    # qrcode gives every path id="qr-path": two codes on one page would repeat an id.
    image.path.attrib.pop("id", None)
    svg.set("role", "img")
    svg.set("aria-label", label)
    return ET.tostring(svg, encoding="unicode")

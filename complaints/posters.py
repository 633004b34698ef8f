"""Print-ready A4 posters with a QR code to /q/<token>: the village notice-board header, the
project sign (项目公示牌) and the inspection-round notice (巡察公告)."""

import base64
import io
from dataclasses import dataclass

from flask import render_template, send_file
from sqlalchemy import select

from core.db import utcnow
from core.extensions import db
from core.pdf import render_pdf
from core.qr import qr_data_uri
from core.regions.models import Region
from core.regions.queries import ancestors_of
from core.timezone import local_date
from disclosures.models import Batch, BatchStatus, ProjectPhoto, ProjectUpdate
from disclosures.photos import photo_bytes, public_photos
from disclosures.public import project_history
from complaints.models import InspectionRound
from complaints.qr import project_target, qr_url, round_target, token_for, village_target
from complaints.rounds import COMMISSION, format_day, period_text

# Pixels per module of the embedded PNG. PDF viewers and printers scale images without smoothing,
# so modules stay sharp at any size; this only keeps the file small.
QR_BOX_SIZE = 12


@dataclass(frozen=True)
class Poster:
    pdf: bytes
    filename: str

    def response(self):
        """The PDF shown in the browser, named for saving."""
        return send_file(io.BytesIO(self.pdf), mimetype="application/pdf", download_name=self.filename)


def _qr(token: str) -> dict:
    url = qr_url(token)
    return {"qr": qr_data_uri(url, QR_BOX_SIZE), "qr_url": url}


def _place(village: Region) -> str:
    """青川县黄大镇: the county and township above the village."""
    return "".join(region.name for region in ancestors_of(village))


def latest_batch(village_code: str) -> Batch | None:
    """The head of the village's published hash chain (highest sequence)."""
    return db.session.scalars(
        select(Batch)
        .where(Batch.village_code == village_code, Batch.status == BatchStatus.PUBLISHED)
        .order_by(Batch.sequence.desc())
        .limit(1)
    ).first()


def latest_project_update(village_code: str, project_no: str) -> ProjectUpdate | None:
    """The project as it stands: its latest public update."""
    return db.session.scalars(project_history(village_code, project_no).limit(1)).first()


def village_poster(village: Region) -> Poster:
    """The notice-board header: village name, 村务公开栏, QR, and the latest fingerprint."""
    html = render_template(
        "complaints/posters/village.html",
        village=village,
        place=_place(village),
        batch=latest_batch(village.code),
        **_qr(token_for(village_target(village.code))),
    )
    return Poster(render_pdf(html), f"{village.name}-村务公开栏.pdf")


def latest_photo(village_code: str, project_no: str) -> tuple[str, ProjectPhoto] | None:
    """The newest public site photo as a data: URI (a PDF reads no URL but file: and data:)."""
    photo = db.session.scalars(public_photos(village_code, project_no).limit(1)).first()
    try:
        data = photo and photo_bytes(photo)
    except FileNotFoundError:
        return None
    return (f"data:image/jpeg;base64,{base64.b64encode(data).decode('ascii')}", photo) if data else None


def project_poster(village: Region, project: ProjectUpdate) -> Poster:
    """The project sign: its facts as last disclosed, its newest site photo, and a QR to the project online."""
    html = render_template(
        "complaints/posters/project.html",
        village=village,
        place=_place(village),
        project=project,
        format_day=format_day,
        photo=latest_photo(village.code, project.project_no),
        **_qr(token_for(project_target(village.code, project.project_no))),
    )
    return Poster(render_pdf(html), f"{village.name}-项目公示牌-{project.project_no}.pdf")


def round_notice(inspection: InspectionRound) -> Poster:
    """The 巡察公告: team, period, villages, scope, focus, contact and how to report by scanning."""
    html = render_template(
        "complaints/posters/round.html",
        inspection=inspection,
        period=period_text(inspection),
        issued=format_day(local_date(utcnow())),
        commission=COMMISSION,
        **_qr(token_for(round_target(inspection.id))),
    )
    return Poster(render_pdf(html), f"巡察公告-{inspection.name}.pdf")

"""What the upload page was opened for: a village, kind and month named by a 工作台 row's link."""

from dataclasses import dataclass
from datetime import date

from core.regions.models import Region
from disclosures.due import SCHEDULED, due_date
from disclosures.forms import MONTH
from disclosures.models import Kind


@dataclass(frozen=True)
class Preset:
    village: Region
    kind: Kind
    month: str
    item: str

    @property
    def due_on(self) -> date:
        return due_date(self.month)


def upload_preset(args, villages: list[Region]) -> Preset | None:
    """The preset the query names, or None when it names nothing valid or a village outside the
    user's scope (the page then opens as usual: a stale or edited link is no error)."""
    village = next((v for v in villages if v.code == args.get("village")), None)
    kind, month = args.get("kind", ""), args.get("period", "")
    if village is None or kind not in {k.value for k in SCHEDULED} or not MONTH.match(month):
        return None
    item = args.get("item", "").strip()[:32] if kind == Kind.SUBSIDIES else ""
    return Preset(village, Kind(kind), month, item)

"""The upload folder full: a small tmpfs as UPLOAD_DIR, filled to the last byte, under filings.

    .venv/bin/python bench/faults/disk_full.py [--size 8m] [--filings 20]   # as root (mount)

Own PostgreSQL, Redis and gunicorn -w 4 (bench/faults/rig.py), UPLOAD_DIR on a tmpfs mounted
for the run (`mount -t tmpfs -o size=…`) and unmounted at the end, whatever happens. Phases, each
--filings filings from 4 phones at once: with room (photos accepted); after a filler file took
every byte left (each filing with a photo must be refused with the busy page saying it was not
stored and giving the text back, no case, no file or `.part` left; filings without a photo go
through); after the filler is removed (photos accepted again). Then the audit. Exit 1 on a 500,
a filing with a photo acknowledged while full, anything left half-stored, or a lost case.
"""

import argparse
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import create_engine, text

from rig import Rig, audit, file_once, log, stamp

NOT_STORED = "您的反映没有提交成功"


def mount(rig: Rig, size: str) -> None:
    if os.geteuid() != 0:
        sys.exit("mounting a tmpfs needs root")
    rig.upload_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(rig.upload_dir)], check=True)
    rig.on_close.append(lambda: subprocess.run(["umount", "-l", str(rig.upload_dir)], check=False))


def fill(folder) -> int:
    """Write a filler file until the filesystem refuses another byte; its size."""
    written = 0
    with open(folder / "filler", "wb", buffering=0) as handle:
        for chunk in (65536, 4096, 512, 1):
            try:
                while True:
                    written += handle.write(b"\0" * chunk)
            except OSError:
                pass
    return written


def files(folder) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def burst(rig: Rig, n: int, photo: bool = True) -> list:
    options = {} if photo else {"photo": None}
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda i: file_once(rig.base, rig.villages[i % len(rig.villages)], **options), range(n)))


def tally(outcomes) -> dict:
    statuses: dict = {}
    for o in outcomes:
        statuses[str(o.status)] = statuses.get(str(o.status), 0) + 1
    return {"filings": len(outcomes), "acknowledged": sum(1 for o in outcomes if o.code), "statuses": statuses}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="8m")
    parser.add_argument("--filings", type=int, default=20)
    args = parser.parse_args()
    when = stamp()
    with Rig(before_serve=lambda rig: mount(rig, args.size)) as rig:
        folder = rig.upload_dir
        room = burst(rig, args.filings)
        filler = fill(folder)
        before = files(folder)
        log(f"filled: {filler} bytes of filler; {len(before)} files")
        full = burst(rig, args.filings)
        no_photo = burst(rig, args.filings // 2, photo=False)
        after = files(folder)
        (folder / "filler").unlink()
        again = burst(rig, args.filings)
        acknowledged = [o.code for o in room + full + no_photo + again if o.code]
        result = audit(rig, acknowledged, photos_per_case=None)
        engine = create_engine(rig.uri)
        with engine.connect() as connection:
            photo_rows = connection.execute(text("SELECT count(*) FROM complaint_attachments")).scalar_one()
        engine.dispose()
    refused_plainly = sum(1 for o in full if o.status == 503 and NOT_STORED in o.body and "故障测试" in o.body)
    report = {
        "when": when,
        "tmpfs": args.size,
        "filler_bytes": filler,
        "with_room": tally(room),
        "full_with_photo": tally(full),
        "full_without_photo": tally(no_photo),
        "room_again": tally(again),
        "full_refused_with_the_not_stored_page_and_text_back": refused_plainly,
        "files_left_by_refused_filings": sorted(set(after) - set(before)),
        "photo_rows": photo_rows,
        **result,
    }
    print(json.dumps(report, ensure_ascii=False, indent=1))
    everyone = room + full + no_photo + again
    ok = (
        refused_plainly == len(full)
        and not report["files_left_by_refused_filings"]
        and all(o.code for o in room + no_photo + again)
        and result["lost"] == 0
        and result["half_written"] == 0
        and photo_rows == len(room) + len(again)
        and result["orphans_after_prune"] == 0
        and all(o.status != 500 for o in everyone)
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

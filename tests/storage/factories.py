"""Realistic dossiers (1.2 to 1.5 KB of JSON each) for storage tests and benchmarks."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from engine.dossier import Attachment, Dossier, LogEntry, Role, Status, new_id
from engine.receipts import new_receipt_number

VN = dt.timezone(dt.timedelta(hours=7))
_START = dt.datetime(2025, 1, 2, 8, 0, tzinfo=VN)

SERVICES = {
    "dang-ky-thanh-lap-ho-kinh-doanh": "UBND-Q1",
    "dang-ky-khai-sinh": "UBND-P-BEN-NGHE",
    "cap-giay-phep-xay-dung-nha-o-rieng-le": "SXD-HCM",
}
_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi"]
_GIVEN = ["Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thu Hà", "Gia Huy", "Ngọc Lan"]
_STREETS = ["Lê Lợi", "Nguyễn Huệ", "Hai Bà Trưng", "Điện Biên Phủ", "Cách Mạng Tháng Tám"]
# Statuses a dossier reaches only after the desk accepted it, so it has a receipt number.
ACCEPTED = {Status.PROCESSING, Status.SUPPLEMENT, Status.DONE, Status.RETURNED}


def make_dossier(rng: random.Random | None = None, **fields: Any) -> Dossier:
    """A dossier with plausible content; ``fields`` override any attribute."""
    rng = rng or random.Random()
    service = fields.get("service") or rng.choice(list(SERVICES))
    status = fields.get("status") or rng.choice(list(Status))
    created = fields.get("created_at") or _START + dt.timedelta(minutes=rng.randrange(500_000))
    submitted = created + dt.timedelta(hours=2) if status not in (Status.DRAFT, Status.CONFIRMED) else None
    name = f"{rng.choice(_FAMILY)} {rng.choice(_GIVEN)}"
    owner = fields.get("owner") or f"citizen-{rng.randrange(10**6):06d}"
    log = [
        LogEntry(at=created, actor=owner, actor_name=name, role=Role.CITIZEN, action="create", status_to=Status.DRAFT)
    ]
    if submitted:
        log.append(
            LogEntry(
                at=submitted, actor=owner, actor_name=name, role=Role.CITIZEN, action="submit",
                status_from=Status.CONFIRMED, status_to=Status.SUBMITTED,
            )
        )
    attrs: dict[str, Any] = {
        "id": new_id(),
        "service": service,
        "agency": SERVICES.get(service, "UBND-Q1"),
        "owner": owner,
        "applicant_name": name,
        "applicant_id_number": f"079{rng.randrange(10**9):09d}",
        "status": status,
        "data": {
            "ho_ten": name,
            "ngay_sinh": f"{rng.randrange(1950, 2005)}-0{rng.randrange(1, 10)}-1{rng.randrange(10)}",
            "dia_chi": {
                "tinh": "79",
                "xa": f"{rng.randrange(26700, 27500)}",
                "so_nha": f"{rng.randrange(1, 300)} {rng.choice(_STREETS)}",
            },
            "nganh_nghe": ["Bán lẻ thực phẩm", "Dịch vụ ăn uống"][: rng.randrange(1, 3)],
            "von_kinh_doanh": rng.randrange(10, 500) * 1_000_000,
        },
        "checklist": ["cccd", "hop-dong-thue-nha"],
        "attachments": {
            "cccd": Attachment(
                file_id=new_id(), filename="cccd-mat-truoc.jpg", media_type="image/jpeg",
                size=rng.randrange(50_000, 900_000), sha256=f"{rng.getrandbits(256):064x}", uploaded_at=created,
            )
        },
        "receipt_number": new_receipt_number(submitted.date()) if status in ACCEPTED else None,
        "created_at": created,
        "updated_at": submitted or created,
        "confirmed_at": created + dt.timedelta(minutes=5) if submitted else None,
        "submitted_at": submitted,
        "log": log,
    }
    attrs.update(fields)
    return Dossier(**attrs)


def mixed_writes(store: Any, shared_id: str, seed: int, rounds: int, receipts: int = 10**6) -> dict[str, dict]:
    """One of several processes writing to one store at once (the multi-process tests of
    each backend): adds dossiers, updates its own, and increments the counter of the
    shared dossier, retrying on conflicts. Returns its own dossiers as last saved."""
    from engine.repository import ConflictError

    rng = random.Random(seed)
    mine: dict[str, Dossier] = {}
    for _ in range(rounds):
        added = store.add(make_dossier(rng))
        mine[added.id] = added
        target = mine[rng.choice(list(mine))]
        status = rng.choice([Status.PROCESSING, Status.DONE])
        receipt = f"R-{seed}-{rng.randrange(receipts)}"
        updated = store.update(target.model_copy(update={"status": status, "receipt_number": receipt}))
        mine[updated.id] = updated
        while True:
            shared = store.get(shared_id)
            try:
                store.update(shared.model_copy(update={"data": {"counter": shared.data["counter"] + 1}}))
                break
            except ConflictError:
                continue
    return {dossier_id: dossier.to_json() for dossier_id, dossier in mine.items()}


def assert_mixed_writes_kept(store: Any, reports: list[dict[str, dict]], shared_id: str, workers: int,
                             rounds: int) -> None:
    """Every dossier the ``mixed_writes`` processes last saved is in ``store`` as they saved
    it, found by its receipt number too, and no increment of the shared counter was lost."""
    for report in reports:
        for raw in report.values():
            dossier = Dossier.from_json(raw)
            assert store.get(dossier.id) == dossier
            if dossier.receipt_number:
                assert store.find_by_receipt(dossier.receipt_number) == dossier
    assert store.count() == 1 + workers * rounds
    assert store.get(shared_id).data["counter"] == workers * rounds


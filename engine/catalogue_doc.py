"""``docs/catalogue.md``: every service of the catalogue with its national code, the date
of the national record it was checked against and its legal bases, generated from the
definitions (``dichvucong schemas catalogue``) so the list cannot drift from them."""

from __future__ import annotations

from collections.abc import Iterable

from engine.catalog import Service

HEADER = """# Danh mục dịch vụ công

Tệp này được tạo từ các định nghĩa trong `schemas/` bằng lệnh
`dichvucong schemas catalogue --out docs/catalogue.md`; đừng sửa tay (bài kiểm tra so
sánh tệp với các định nghĩa). "Bản ghi quốc gia" là ngày cập nhật của bản ghi thủ tục trên
Cổng Dịch vụ công quốc gia mà định nghĩa đã được đối chiếu; "—" khi định nghĩa được viết
trực tiếp từ văn bản pháp luật.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(services: Iterable[Service]) -> str:
    services = sorted(services, key=lambda s: (s.info.field, s.info.name))
    with_form = sum(1 for s in services if s.info.level == 3)
    lines = [HEADER, f"{len(services)} dịch vụ, {with_form} nộp hồ sơ trực tuyến (mức độ 3).", ""]
    field = None
    for service in services:
        info = service.info
        if info.field != field:
            field = info.field
            lines += ["", f"## {field}", "",
                      "| Mã thủ tục | Tên thủ tục | Mức độ | Bản ghi quốc gia | Căn cứ pháp lý |",
                      "|---|---|---|---|---|"]
        record = f"{info.record_updated:%d/%m/%Y}" if info.record_updated else "—"
        laws = "; ".join(f"{b.number} ({b.issued:%d/%m/%Y})" for b in info.legal_basis)
        lines.append(f"| {info.code} | [{_cell(info.name)}](../schemas/{service.slug}/service.json) "
                     f"| {info.level} | {record} | {_cell(laws)} |")
    return "\n".join(lines) + "\n"

"""Reference stock for the parts counter (part numbers match billing's price list)."""

from decimal import Decimal

import sqlalchemy as sa

from . import handlers
from .models import Part

STOCK = [  # part_no, name, opening stock, lead days
    ("P-OIL-5W30", "机油 5W-30 4L", "400", 2),
    ("P-FILTER-OIL", "机油滤清器", "400", 2),
    ("P-DOT4", "制动液 DOT4 1L", "200", 3),
    ("P-DISC-F", "前制动盘", "60", 5),
    ("P-PAD-F", "前制动片", "60", 5),
    ("P-WEIGHT", "平衡块", "1000", 2),
    ("P-ATF", "自动变速箱油", "120", 4),
]
# the master's other fields: English name, bin, cost (yuan), min, max, unit (pieces unless litres)
MASTER = {
    "P-OIL-5W30": ("Engine oil 5W-30 4 L", "A-01-1", "180.00", "40", "400", "pc"),
    "P-FILTER-OIL": ("Oil filter", "A-01-2", "32.00", "40", "400", "pc"),
    "P-DOT4": ("Brake fluid DOT4 1 L", "A-02-1", "48.00", "20", "200", "pc"),
    "P-DISC-F": ("Front brake disc", "B-01-1", "390.00", "6", "60", "pc"),
    "P-PAD-F": ("Front brake pads", "B-01-2", "240.00", "6", "60", "pc"),
    "P-WEIGHT": ("Wheel weight", "C-05-4", "1.20", "100", "1000", "pc"),
    "P-ATF": ("Automatic transmission fluid", "A-03-1", "52.00", "20", "120", "L"),
}
# supersession: an old number on an order is handed out as its new number
SUPERSEDED = [("P-PAD-F-OLD", "前制动片(旧号)", "P-PAD-F")]
SUPPLIER = "主机厂配件中心"


def reference_data(work, demo: bool = False) -> None:
    if work.read(lambda s: s.scalar(sa.select(sa.func.count()).select_from(Part))):
        return
    for part_no, name, quantity, lead in STOCK:
        name_en, bin_, cost, min_qty, max_qty, unit = MASTER[part_no]
        master = dict(name_en=name_en, bin=bin_, cost=Decimal(cost), min_qty=Decimal(min_qty))
        master.update(max_qty=Decimal(max_qty), unit=unit, supplier=SUPPLIER)
        work.run(handlers.receive_stock, part_no, name, Decimal(quantity), lead, **master)
    for part_no, name, new in SUPERSEDED:
        work.run(handlers.save_part, {"part_no": part_no, "name": name, "superseded_by": new, "supplier": SUPPLIER})

"""Reference stock for the parts counter (part numbers match billing's price list)."""

from decimal import Decimal

import sqlalchemy as sa

from . import handlers
from .models import Part

STOCK = [
    ("P-OIL-5W30", "机油 5W-30 4L", "400", 2),
    ("P-FILTER-OIL", "机油滤清器", "400", 2),
    ("P-DOT4", "制动液 DOT4 1L", "200", 3),
    ("P-DISC-F", "前制动盘", "60", 5),
    ("P-PAD-F", "前制动片", "60", 5),
    ("P-WEIGHT", "平衡块", "1000", 2),
]


def reference_data(work, demo: bool = False) -> None:
    if work.read(lambda s: s.scalar(sa.select(sa.func.count()).select_from(Part))):
        return
    for part_no, name, quantity, lead in STOCK:
        work.run(handlers.receive_stock, part_no, name, Decimal(quantity), lead)

"""Reference data: the dealership's published price list (labour operations, rate, parts)."""

from datetime import UTC, datetime
from decimal import Decimal

from . import handlers

PRICE_LIST = {
    "version": "2026.11-1",
    "effective_from": datetime(2026, 11, 1, tzinfo=UTC),
    "labour_rate": Decimal("300.00"),
    "vat_rate": Decimal("0.13"),
    "labour_operations": [
        {"code": "LAB-OIL", "name": "更换机油及机油滤清器", "standard_hours": Decimal("0.5")},
        {"code": "LAB-BRAKE-FLUID", "name": "更换制动液", "standard_hours": Decimal("0.8")},
        {"code": "LAB-THROTTLE", "name": "清洗节气门", "standard_hours": Decimal("0.6")},
        {"code": "LAB-BRAKE-DISC", "name": "更换前制动盘及制动片", "standard_hours": Decimal("1.5")},
        {"code": "LAB-BALANCE", "name": "四轮动平衡", "standard_hours": Decimal("0.5")},
        {"code": "LAB-ALIGN", "name": "四轮定位", "standard_hours": Decimal("1.0")},
        {"code": "LAB-INSPECT", "name": "常规检查", "standard_hours": Decimal("0.3")},
    ],
    "parts": [
        {"part_no": "P-OIL-5W30", "name": "机油 5W-30 4L", "unit_price": Decimal("268.00")},
        {"part_no": "P-FILTER-OIL", "name": "机油滤清器", "unit_price": Decimal("58.00")},
        {"part_no": "P-DOT4", "name": "制动液 DOT4 1L", "unit_price": Decimal("85.00")},
        {"part_no": "P-DISC-F", "name": "前制动盘", "unit_price": Decimal("560.00")},
        {"part_no": "P-PAD-F", "name": "前制动片", "unit_price": Decimal("380.00")},
        {"part_no": "P-WEIGHT", "name": "平衡块", "unit_price": Decimal("5.00")},
    ],
}


def reference_data(work, demo: bool = False) -> None:
    work.run(handlers.publish_price_list, PRICE_LIST)

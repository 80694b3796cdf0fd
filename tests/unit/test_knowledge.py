"""R-KB-1: the symptom knowledge base is data; its suggestions are priced from the published list."""

from decimal import Decimal

from contracts.knowledge import estimate, suggest, symptoms
from contracts.pricing import PriceBook

BOOK = PriceBook(
    version="2026.11-1",
    labour_rate=Decimal("300.00"),
    vat_rate=Decimal("0.13"),
    labour={"LAB-THROTTLE": ("清洗节气门", Decimal("0.6")), "LAB-BRAKE-DISC": ("更换前制动盘及制动片", Decimal("1.5"))},
    parts={"P-DISC-F": ("前制动盘", Decimal("560.00")), "P-PAD-F": ("前制动片", Decimal("380.00"))},
)


def test_the_handbooks_three_examples_are_in_the_knowledge_base():
    assert {s.code for s in symptoms()} >= {"COLD-ROUGH-IDLE", "HIGH-SPEED-STEERING-SHAKE", "BRAKE-JUDDER"}


def test_the_customers_words_find_the_cold_start_rough_idle():
    found = suggest("早上冷车启动的时候车子抖得厉害,开一会儿就好了")
    assert [s.code for s in found] == ["COLD-ROUGH-IDLE"]
    assert found[0].causes["zh_CN"][0] == "节气门脏污"


def test_braking_judder_is_found_and_unrelated_words_find_nothing():
    assert [s.code for s in suggest("时速60左右踩刹车方向盘抖")] == ["BRAKE-JUDDER"]
    assert suggest("空调不制冷") == []


def test_the_estimate_is_standard_hours_times_rate_plus_parts_with_vat():
    judder = next(s for s in symptoms() if s.code == "BRAKE-JUDDER")
    e = estimate(judder, BOOK)
    assert e.hours == Decimal("1.5")
    assert e.labour == Decimal("450.00")
    assert e.parts == Decimal("1500.00")  # 2 discs x 560 + 1 set of pads x 380
    assert e.net == Decimal("1950.00") and e.vat == Decimal("253.50") and e.gross == Decimal("2203.50")
    assert e.price_list_version == "2026.11-1" and e.unpriced == ()


def test_codes_missing_from_the_price_list_are_named_not_priced_at_zero_silently():
    shake = next(s for s in symptoms() if s.code == "HIGH-SPEED-STEERING-SHAKE")
    e = estimate(shake, BOOK)
    assert set(e.unpriced) == {"LAB-BALANCE", "LAB-ALIGN", "P-WEIGHT"}

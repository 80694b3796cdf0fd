"""Field types shared by the event schemas."""

from decimal import Decimal

from marshmallow import fields, validate


def Money(**kwargs):  # noqa: N802 - reads like a field class
    """Yuan as a decimal string with two places ("268.00"): never a float."""
    return fields.Decimal(places=2, as_string=True, **kwargs)


def Quantity(**kwargs):  # noqa: N802
    """Quantities and labour hours: decimal strings ("0.5", "4")."""
    return fields.Decimal(as_string=True, validate=validate.Range(min=Decimal("0"), min_inclusive=False), **kwargs)


def UtcTime(**kwargs):  # noqa: N802
    return fields.AwareDateTime(format="iso", **kwargs)


Id = fields.String

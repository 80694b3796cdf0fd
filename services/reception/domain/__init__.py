"""Reception's rules and domain types as plain Python: no nameko, SQLAlchemy, Werkzeug or marshmallow.

pricing (R-RC-5), mileage (R-RC-2), walk_around (R-RC-1..3), pre_inspection and its incidents (R-RC-8),
amendments (R-WS-3), notices (R-PN-1).
"""

"""Booking's rules and domain types as plain Python (R-BK-*): no framework import (see README's layout)."""

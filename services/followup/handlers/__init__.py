"""Follow-up's use cases: calls, the staff directory's callers, complaints, customer care, the monthly report."""

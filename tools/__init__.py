"""Tooling around the services (not part of any service): process supervision for `make run`, the tests
and the benchmark."""

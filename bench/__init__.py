"""Benchmark of the after-sales line against raw RabbitMQ and a bare nameko relay chain (`make bench`)."""

"""Follow-up's pages and JSON views, one module per feature."""

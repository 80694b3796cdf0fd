"""Parts' pages and JSON views, one module per feature: the counter, supply (goods-in, backorders, returns)
and stock (master, ledger, counts, figures)."""

"""Follow-up's rules as plain Python (R-FU-1..6, R-CR-1..6): one module per concept."""

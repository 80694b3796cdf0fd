"""Workshop's rules and domain types as plain Python (R-WS-*, R-BK-4): no framework import (see README's layout)."""

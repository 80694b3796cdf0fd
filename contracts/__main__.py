"""`python -m contracts OUTDIR` writes one JSON Schema file per event."""

import json
import sys
from pathlib import Path

from .registry import all_json_schemas

out = Path(sys.argv[1] if len(sys.argv) > 1 else "var/schemas")
out.mkdir(parents=True, exist_ok=True)
for name, schema in all_json_schemas().items():
    (out / f"{name}.json").write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    print(out / f"{name}.json")

"""contracts/ imports nothing of the project: producers and consumers (and the HQ) can take it alone."""

import subprocess
import sys

from contracts.validators import check_vin
from kit.errors import DomainError


def test_importing_every_contract_module_loads_neither_the_kit_nor_a_service():
    code = (
        "import sys, pkgutil, importlib, contracts\n"
        "for m in pkgutil.iter_modules(contracts.__path__):\n"
        "    if m.name != '__main__':\n"
        "        importlib.import_module('contracts.' + m.name)\n"
        "print(sorted({n.split('.')[0] for n in sys.modules} & {'kit', 'services', 'tools', 'tests'}))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


def test_a_value_refused_by_contracts_is_the_kits_domain_error_in_chinese():
    try:
        check_vin("LSVAM4187C218484", field="vehicle.vin")
    except DomainError as exc:  # the very class services catch, not a look-alike
        assert exc.code == "vin_invalid" and exc.field == "vehicle.vin"
        assert exc.message == "车架号(VIN)须为17位，且不含 I、O、Q"
    else:
        raise AssertionError("a 16-character VIN was accepted")

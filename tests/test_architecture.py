"""The layout stays what the README and docs/architecture.md describe."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 450


def _architecture_script():
    spec = importlib.util.spec_from_file_location(
        "architecture", ROOT / "scripts" / "architecture.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_layers_picture_matches_the_import_contracts():
    script = _architecture_script()
    assert (ROOT / "docs" / "architecture.md").read_text() == script.render(), (
        "docs/architecture.md is out of date: run `make architecture`."
    )


def test_every_app_of_the_contracts_has_a_described_role():
    script = _architecture_script()
    assert set(script.ROLES) == set(script.render_layers())


def test_no_module_outgrows_one_screenful_of_concerns():
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in ROOT.glob("*/**/*.py")
        if not {".venv", "migrations", "var", "node_modules", "mutants"} & set(path.parts)
        and (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}


def test_pytest_collects_the_tests_of_every_app():
    """An app missing from ``testpaths`` has its tests skipped by ``make test`` without a word
    (annotations and scheduled_reports were, until this test)."""
    import configparser

    config = configparser.ConfigParser()
    config.read(ROOT / "pytest.ini")
    collected = set(config["pytest"]["testpaths"].split())
    with_tests = {path.parent.name for path in ROOT.glob("*/tests") if path.is_dir()}
    assert with_tests - collected == set()

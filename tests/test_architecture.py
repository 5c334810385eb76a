"""The shape of the code, checked: stages depend one way (docs/architecture.md), in imports and in
strings, and the code is lint-clean."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The stages in the order their dependencies run: each may use only those before it.
STAGES = ["reserve", "candidates", "vetting", "inspection", "publicity", "training", "cultivation", "assessment", "dossier", "demo"]
# The composition root: the project's URLconf and settings name every stage.
COMPOSITION_ROOT = {ROOT / "reserve" / "urls.py", ROOT / "reserve" / "settings.py"}


def test_the_import_contract_is_kept():
    """import-linter's layers contract (pyproject.toml [tool.importlinter]): no upward import."""
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _later(stage):
    return STAGES[STAGES.index(stage) + 1:]


def _mentions(text, later):
    """Strings naming a later stage: a dotted path ("vetting.services…"), a URL name ("vetting:queue")
    or a template ("vetting/…html")."""
    pattern = r"""["'](?:%s)(?:\.\w|:\w|/[\w/.-]+\.html)""" % "|".join(later)
    return re.findall(pattern, text)


@pytest.mark.parametrize("stage", STAGES[:-1])
def test_no_stage_names_a_later_one_in_a_string(stage):
    later = _later(stage)
    found = []
    for path in sorted((ROOT / stage).rglob("*.py")):
        if path in COMPOSITION_ROOT or "migrations" in path.parts:
            continue
        for hit in _mentions(path.read_text(encoding="utf-8"), later):
            found.append(f"{path.relative_to(ROOT)}: {hit}")
    for path in sorted((ROOT / "templates" / stage).rglob("*.html")) if (ROOT / "templates" / stage).exists() else []:
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(ROOT)}: {hit}" for hit in _mentions(text, later)]
    assert found == []


def test_the_string_check_finds_an_upward_reference():
    """The check above can fail: a dotted path, a URL name and a template of a later stage are found."""
    text = """x = "vetting.services.guard"; y = reverse("publicity:notice_list"); t = "training/pool.html" """
    assert len(_mentions(text, _later("candidates"))) == 3
    assert _mentions(""" "candidates.services" """, _later("candidates")) == []


def test_ruff_is_clean():
    result = subprocess.run([str(Path(sys.executable).parent / "ruff"), "check", "--no-cache", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr

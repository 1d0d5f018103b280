"""The Python examples of bindings-python/README.md run as they are (from a folder with testdata/)."""

import os
import re

import pytest

from conftest import REPO, TESTDATA

README = (REPO / "bindings-python" / "README.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"^```python\n(.*?)^```", README, re.M | re.S)


def test_readme_has_examples():
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_example_runs(index, tmp_path, monkeypatch, no_leaks):
    (tmp_path / "testdata").symlink_to(TESTDATA, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    code = compile(EXAMPLES[index], f"README.md example {index + 1}", "exec")
    exec(code, {"__name__": "__readme__"})
    written = sorted(name for name in os.listdir(tmp_path) if name != "testdata")
    for name in written:
        assert (tmp_path / name).stat().st_size > 0, name

"""Every notebook runs through a real Jupyter kernel and shows figures.

Each notebook is executed top to bottom by ``nbclient`` in a fresh IPython kernel (so
inline figures, ``%matplotlib`` magics and display formatters are the ones a reader gets);
a cell that raises, including the notebooks' own ``assert`` checks on what they show, fails
the test. The executed notebook must contain image outputs (PNG or GIF).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
INSTALL = "pip install -e '.[notebooks]' (nbclient, nbformat, ipykernel, ipywidgets)"


def _jupyter():  # type: ignore[no-untyped-def]
    """nbclient and nbformat, or a skip outside CI / a failure in CI saying how to get them."""
    try:
        import nbclient
        import nbformat
    except ModuleNotFoundError as exc:
        message = f"the notebooks need Jupyter ({exc.name} is missing): {INSTALL}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return nbclient, nbformat


def test_there_are_five_notebooks() -> None:
    assert [p.stem[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes_in_a_kernel_and_shows_figures(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nbclient, nbformat = _jupyter()
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # run from a clean slate, not the saved outputs
        if cell.cell_type == "code":
            cell.outputs = []
    # The kernel inherits the environment a reader has: no backend forced by the test session.
    monkeypatch.delenv("MPLBACKEND", raising=False)
    monkeypatch.setenv("BASMACHI_NOTEBOOK_OUT", str(tmp_path))
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(path.parent)}}
    )
    t0 = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - t0
    images = [
        mime
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        for mime in out.get("data", {})
        if mime.startswith("image/")
    ]
    errors = [out for cell in nb.cells for out in cell.get("outputs", []) if out.output_type == "error"]
    assert not errors
    assert images, f"{path.name} drew no figure"
    print(f"{path.name}: {elapsed:.1f} s, {len(images)} images")

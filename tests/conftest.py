from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    """The team's reference folder beside the repository (present in CI and for developers)."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside this checkout")
    return SHARED


@pytest.fixture(autouse=True, scope="session")
def _isolated_records_store(tmp_path_factory):
    """Tests see the bundled offender rows and parameters, never a developer's own imports or refit."""
    import os

    if "PLEALEVER_DATA_DIR" not in os.environ:
        os.environ["PLEALEVER_DATA_DIR"] = str(tmp_path_factory.mktemp("plealever-data"))
    yield

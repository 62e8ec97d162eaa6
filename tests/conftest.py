"""Fixtures shared by the test modules.

``tests/`` is on ``sys.path`` (pytest's rootdir-relative import of conftest),
so the helper modules ``strategies``, ``reference`` and ``results_factory``
import by their plain names.
"""

from __future__ import annotations

import pytest
from strategies import IMPLEMENTATIONS


@pytest.fixture(params=IMPLEMENTATIONS)
def implementation(request: pytest.FixtureRequest) -> str:
    """Each model implementation in turn (see ``strategies.new_model``)."""
    return str(request.param)

"""Accuracy evaluation against external datasets (FA-KES, UCDP GED) and the project's gold set.

Each scorer is a plain function returning a JSON-ready result; ``report`` renders results as Rich
tables (console) or Markdown (``docs/accuracy.md``). The CLI in ``marsad.cli.evaluate`` is a thin
layer over these functions.
"""

from __future__ import annotations

from marsad.evaluate.files import EvalFileError, RowWarnings

__all__ = ["EvalFileError", "RowWarnings"]

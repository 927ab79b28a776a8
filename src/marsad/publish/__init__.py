"""Publishing: exports in partner formats, partner-dataset imports, and briefs.

Everything here reads the store through its views (``marsad.contract.incident``) at an explicit
sensitivity level, ``public`` unless the caller widens it.
"""

from marsad.publish.export import FORMATS, ExportResult, export_incidents
from marsad.publish.imports import ImportReport, import_dataset

__all__ = ["FORMATS", "ExportResult", "ImportReport", "export_incidents", "import_dataset"]

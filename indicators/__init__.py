"""Turn analysts' monthly reports into a tidy, traceable table of quantitative claims."""
from .catalog import load_catalog
from .errors import IndicatorsError, ReportError
from .model import CLAIM_COLUMNS, Claim, Quantity, Report
from .pipeline import extract, extract_report

__all__ = ["extract", "extract_report", "load_catalog", "Claim", "Quantity", "Report", "CLAIM_COLUMNS",
           "IndicatorsError", "ReportError"]

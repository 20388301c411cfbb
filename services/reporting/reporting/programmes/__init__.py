"""The centrale's programmes in reporting: the Beursvloer's deals and their fulfilment, the trainings' reach.

Self-contained beside the cube: its own fact tables (``PROGRAMME_TABLES``), projections, figures and routes.
"""

from reporting.programmes.figures import ProgrammeFigures, build_programme_figures
from reporting.programmes.projections import PROGRAMME_PROJECTIONS, PROGRAMME_TABLES, register_programme_projections

__all__ = [
    "PROGRAMME_PROJECTIONS",
    "PROGRAMME_TABLES",
    "ProgrammeFigures",
    "build_programme_figures",
    "register_programme_projections",
]

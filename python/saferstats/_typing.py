"""Names of the word-valued options, as ``Literal`` types for type checkers and editors.

The core defines every option's names and aliases once (``saferstats._saferstats.choices()``);
``tests/python/test_typing.py`` checks these lists against it, so they cannot drift. Aliases
the core accepts (``"fy"``, ``"pfa"``, ``"bh"``...) work too; the ``Literal`` lists carry the
canonical names only.
"""

from __future__ import annotations

from typing import Literal

Level = Literal["lsoa", "ward", "lad", "csp", "force"]
"""Geographic level of the areas counted."""

Period = Literal["month", "quarter", "calendar_year", "financial_year", "rolling12"]
"""Reporting period."""

Handling = Literal["keep", "set_aside"]
"""What a reader does with a row it flags."""

LookupKind = Literal["lsoa_ward_lad", "lad_csp_force", "lsoa_to_lsoa"]
"""Shape of an ONS lookup."""

FdrAdjust = Literal["none", "benjamini_hochberg", "benjamini_yekutieli"]
"""False-discovery-rate adjustment of Gi* p-values."""

ChangeMethod = Literal["exact-cond", "cond-midp", "score", "wald-log", "wald", "score-log", "sqrt"]
"""Test comparing two Poisson rates."""

ShareTestName = Literal["chi2", "fisher"]
"""Per-area test of a change in share."""

Compare = Literal["previous", "year_earlier", "months_earlier"]
"""Which earlier period a row is compared with."""

#: The ``Literal`` for each core parameter name (checked against the core in the tests).
BY_PARAMETER = {
    "level": Level,
    "period": Period,
    "handling": Handling,
    "kind": LookupKind,
    "fdr": FdrAdjust,
    "method": ChangeMethod,
    "test": ShareTestName,
}

__all__ = [
    "BY_PARAMETER",
    "ChangeMethod",
    "Compare",
    "FdrAdjust",
    "Handling",
    "Level",
    "LookupKind",
    "Period",
    "ShareTestName",
]

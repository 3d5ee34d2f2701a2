"""countryinfo's data, read once per process (about 80 ms): the retrieval aliases (country
names, demonyms, capitals) and the parser's places ("in Dover, New Jersey") share it."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def all_countries() -> dict[str, dict[str, Any]]:
    """``CountryInfo.all()``: installed data files only, nothing downloaded."""
    from countryinfo import CountryInfo

    return CountryInfo.all()

"""Attribute every sentence of an article: who says it, in what role, how and where.

Rule-based and article-agnostic; the conventions are in docs/attribution.md. Modules:

- ``quotes``: quoted spans in every quotation-mark convention, sentence frames;
- ``lexicon``: the one word lexicon (reporting verbs and their inflections, titles,
  roles, organisations, abbreviations), shared with ``index.parsing.sentences`` and
  ``index.retrieval.speakers``;
- ``phrases``: speaker noun phrases (names, titles, roles, appositives);
- ``cues``: reporting verbs and fixed cues, their sources and channels;
- ``context``: what an article has named so far, and back-reference resolution;
- ``attributor``: the ``Attributor`` that walks an article paragraph by paragraph.
"""

from __future__ import annotations

from index.parsing.attribution.attributor import Attributor

__all__ = ["Attributor"]

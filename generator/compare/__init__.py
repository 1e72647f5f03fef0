"""Stage 5, compare: how the sources of one story differ.

Everything here is extractive and reproducible: facts are source sentences,
numbers and quotes are the sources' own, headlines are the sources' own. One
module per kind of difference:

- :mod:`.facts`: sentence-level facts aligned across sources, and what only one reports;
- :mod:`.numbers`: numeric claims about the same thing with different values;
- :mod:`.quotes`: direct quotations with their speaker and carrying sources;
- :mod:`.headlines`: each headline's distinct words;
- :mod:`.syndication`: copies and light rewrites of one wire story;
- :mod:`.entities`: names one source mentions that the others don't.
"""

from __future__ import annotations

from ..model import Differences, Story
from .entities import entities
from .facts import align
from .headlines import headlines
from .numbers import aligned_pairs, conflicts
from .quotes import quotes
from .syndication import shingles, syndication

__all__ = ["compare", "conflicts", "entities", "headlines", "quotes", "shingles", "syndication"]


def compare(story: Story) -> Differences:
    """The differences between the sources of one story."""
    articles = sorted(story.articles, key=lambda a: a.id)
    if len(articles) < 2:
        return Differences(independent_reports=len(articles))
    aligned = align(articles)
    same_fact = aligned_pairs(articles, aligned.facts, alignment=aligned)
    synd = syndication(articles, aligned.sentences, aligned.pairs)
    independent = len(articles) - sum(len(g) - 1 for g in synd)
    return Differences(
        facts=aligned.facts, unique=aligned.unique, conflicts=conflicts(articles, same_fact),
        quotes=quotes(articles), headlines=headlines(articles), syndication=synd,
        independent_reports=independent, entities=entities(articles),
    )

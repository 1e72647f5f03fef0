"""Stage 3, cluster: group articles about the same event into stories.

How (details in docs/clustering.md):

1. :mod:`.features`: each article becomes a sparse vector of weighted headline and
   body words, names (capitalised sequences) and numbers; the idf blends corpus
   statistics with a general-language background, so it works on five articles
   as well as on ten thousand.
2. :mod:`.link`: only articles published within ``cluster.window_days`` of each
   other are compared (time-sorted blocks, sparse products); similarity halves
   every ``cluster.half_life_days`` between publication times.
3. Average-link agglomeration above ``cluster.threshold``; two established groups
   whose main names differ (each has a name most of its members carry and the
   other lacks) are never merged, which keeps apart different events of the
   same kind (two earthquakes, two celebrities entering rehab).
4. Manual control: pinned articles (front matter ``story: ID``) skip clustering;
   ``cluster.split`` and ``cluster.merge`` in ``digest.toml`` then override the
   result. Each story's ``reasons`` say why its articles are together.

Story identity: an unpinned story is named after its *anchor*, the earliest
published member (undated articles after dated ones, ties broken by article id):
slug ``<anchor date>-<anchor headline>``. Articles that join later, and changes
to unrelated articles, leave it alone. When two stories would get the same slug,
the one with the earlier anchor keeps it and the other gets a suffix from its
anchor's id. A pinned story is named by its pin.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from ..config import ClusterConfig
from ..model import Article, Story
from ..text import short_hash, slugify
from .features import Features, background_probability, extract, vectors

__all__ = ["MIN_SIMILARITY", "cluster", "group_articles", "story_slug"]

MIN_SIMILARITY = 0.08
"""Pairs less similar than this are not kept as candidate links (they count as 0)."""
REASON_NAMES = 6
"""How many shared names a story's reasons list."""


@dataclass
class _Group:
    articles: list[Article]
    reasons: list[str] = field(default_factory=list)


def _time(article: Article) -> float | None:
    """Publication time as a POSIX timestamp (UTC when no zone is given), if known."""
    if not article.published:
        return None
    try:
        value = dt.datetime.fromisoformat(article.published)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.timestamp()


Extract = Callable[[Article, str], Features]
"""How an article's features are found: :func:`extract`, or a cache in front of it."""


def group_articles(
    articles: list[Article], config: ClusterConfig, language: str = "english",
    features_of: Extract = extract,
) -> list[tuple[list[int], list[str]]]:
    """Indices of ``articles`` grouped into stories, each with the reasons why."""
    from .link import average_link, candidate_pairs  # numpy and scipy: not for extract()

    features = [features_of(a, language) for a in articles]
    matrix = vectors(features, language)
    times = [_time(a) for a in articles]
    window = config.window_days * 86400.0
    pairs = candidate_pairs(matrix, times, window, min(MIN_SIMILARITY, config.threshold),
                            half_life=config.half_life_days * 86400.0)
    groups = average_link(len(articles), pairs, config.threshold, times, window,
                          keys=[f.names for f in features])
    weight = background_probability(language)
    out: list[tuple[list[int], list[str]]] = []
    for members in groups:
        why = _reasons(members, pairs, features, config, weight) if len(members) > 1 else []
        out.append((members, why))
    return out


def _reasons(members: list[int], pairs: dict[tuple[int, int], float],
             features: list[Features], config: ClusterConfig,
             probability: Callable[[str], float]) -> list[str]:
    """Why these articles are together: shared names and their average similarity."""
    n = len(members)
    total = 0.0
    for x, i in enumerate(members):
        for j in members[x + 1:]:
            total += pairs.get((min(i, j), max(i, j)), 0.0)
    mean = total / (n * (n - 1) / 2)
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for i in members:
        counts.update(features[i].names.keys())
    for i in members:
        for name, form in features[i].forms.items():
            if counts[name] >= 2:
                forms[name][form] += 1
    shared = sorted((k for k, c in counts.items() if c >= 2),
                    key=lambda k: (-counts[k], -_rarity(probability("@" + k)), k))[:REASON_NAMES]
    reasons: list[str] = []
    if shared:
        by_count: dict[int, list[str]] = defaultdict(list)
        for key in shared:
            form = sorted(forms[key].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            by_count[counts[key]].append(form)
        parts = [f"{', '.join(names)} ({c} of {n} articles)"
                 for c, names in sorted(by_count.items(), reverse=True)]
        reasons.append("shared names: " + "; ".join(parts))
    reasons.append(f"average similarity {mean:.2f} of words, names and numbers "
                   f"(threshold {config.threshold:.2f})")
    return reasons


def _rarity(probability: float) -> float:
    return -math.log(max(probability, 1e-12))


def cluster(articles: list[Article], config: ClusterConfig,
            features_of: Extract = extract) -> list[Story]:
    """Group articles into stories (deterministic for the same input).

    ``features_of`` must return what :func:`extract` would (the build passes one
    that reads the build cache)."""
    ordered = sorted(articles, key=lambda a: a.id)
    pinned: dict[str, list[Article]] = defaultdict(list)
    free: list[Article] = []
    for article in ordered:
        (pinned[article.story] if article.story else free).append(article)
    language = next((a.language for a in free if a.language), None) or "english"

    groups: list[_Group] = []
    if free:
        for members, why in group_articles(free, config, language, features_of):
            groups.append(_Group([free[i] for i in members], why))
    groups = _apply_overrides(groups, config, {a.id: a for a in free})

    stories: list[Story] = []
    for pin, pinned_articles in sorted(pinned.items()):
        stories.append(Story(id=pin, slug=slugify(pin) or short_hash(pin),
                             articles=sorted(pinned_articles, key=_order),
                             reasons=[f"pinned with front matter 'story: {pin}'"]))
    used = {s.slug for s in stories}
    anchored = sorted(((min(g.articles, key=_order), g) for g in groups),
                      key=lambda pair: _order(pair[0]))
    for anchor, group in anchored:
        slug = story_slug(anchor)
        if slug in used:
            slug = f"{slug}-{short_hash(anchor.id, 6)}"
        used.add(slug)
        stories.append(Story(id=anchor.id, slug=slug,
                             articles=sorted(group.articles, key=_order),
                             reasons=group.reasons))
    stories.sort(key=lambda s: (s.published or "", len(s.articles), s.slug), reverse=True)
    return stories


def story_slug(anchor: Article) -> str:
    """The slug of a story anchored on ``anchor``: its date and headline."""
    base = slugify(anchor.title, max_length=60) or "story"
    return f"{anchor.date}-{base}" if anchor.date else base


def _order(article: Article) -> tuple[int, float, str]:
    """Publication order: dated articles by time, then undated ones; ties by id."""
    t = _time(article)
    return (0, t, article.id) if t is not None else (1, 0.0, article.id)


def _apply_overrides(groups: list[_Group], config: ClusterConfig,
                     by_id: dict[str, Article]) -> list[_Group]:
    """Apply ``cluster.split`` then ``cluster.merge`` (unpinned articles only)."""
    for ids in config.split:
        taken = sorted({i for i in ids if i in by_id})
        if not taken:
            continue
        kept: list[_Group] = []
        for group in groups:
            left = [a for a in group.articles if a.id not in taken]
            if left:
                kept.append(group if len(left) == len(group.articles)
                            else _Group(left, [*group.reasons,
                                               "articles taken out by cluster.split"]))
        kept.append(_Group([by_id[i] for i in taken],
                           ["kept apart as one story by cluster.split in digest.toml"]))
        groups = kept
    for ids in config.merge:
        wanted = {i for i in ids if i in by_id}
        if len(wanted) < 2:
            continue
        names = ", ".join(sorted(wanted))
        merged = _Group([], [f"merged by cluster.merge in digest.toml: {names}"])
        rest: list[_Group] = []
        for group in groups:
            if any(a.id in wanted for a in group.articles):
                merged.articles.extend(group.articles)
            else:
                rest.append(group)
        groups = [*rest, merged]
    return groups

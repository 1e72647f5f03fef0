"""Stage 3, cluster: group articles about the same event into stories.

Articles are compared by TF-IDF cosine similarity of their headline and body;
pairs published further apart than ``cluster.window_days`` are never linked.
Groups are formed by average-link agglomeration above ``cluster.threshold``.
Pinned articles (front matter ``story: ID``) skip clustering; ``cluster.merge``
and ``cluster.split`` in ``digest.toml`` override the result.

Story identity: a story is named after its *anchor*, the earliest-published
member (ties broken by article id), so its slug does not change when later
articles join it or unrelated articles change. A pinned story is named by its pin.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np

from .config import ClusterConfig
from .model import Article, Story
from .text import short_hash, slugify


def _time(article: Article) -> float | None:
    if not article.published:
        return None
    try:
        value = dt.datetime.fromisoformat(article.published)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.timestamp()


def similarity_matrix(articles: list[Article]) -> np.ndarray:
    """Cosine similarity of TF-IDF vectors (headline counted twice, plus body)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not articles:
        return np.zeros((0, 0))
    texts = [f"{a.title}\n{a.title}\n{a.text}" for a in articles]
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=1,
                                 token_pattern=r"(?u)\b[^\W\d_][\w'-]+\b")
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # no usable words at all
        return np.eye(len(articles))
    sim = (matrix @ matrix.T).toarray()
    return np.asarray(sim, dtype=float)


def _average_link(sim: np.ndarray, allowed: np.ndarray, threshold: float) -> list[list[int]]:
    """Agglomerate while the best average similarity between groups is above threshold."""
    n = sim.shape[0]
    groups: dict[int, list[int]] = {i: [i] for i in range(n)}
    while len(groups) > 1:
        best, pair = threshold, None
        keys = sorted(groups)
        for x, a in enumerate(keys):
            for b in keys[x + 1:]:
                ga, gb = groups[a], groups[b]
                block = allowed[np.ix_(ga, gb)]
                if not block.all():
                    continue
                score = float(sim[np.ix_(ga, gb)].mean())
                if score > best:
                    best, pair = score, (a, b)
        if pair is None:
            break
        a, b = pair
        groups[a] = sorted(groups[a] + groups.pop(b))
    return list(groups.values())


def cluster(articles: list[Article], config: ClusterConfig) -> list[Story]:
    """Group articles into stories (deterministic for the same input)."""
    ordered = sorted(articles, key=lambda a: a.id)
    by_id = {a.id: a for a in ordered}
    pinned: dict[str, list[Article]] = defaultdict(list)
    free: list[Article] = []
    for article in ordered:
        (pinned[article.story] if article.story else free).append(article)

    groups: list[list[Article]] = []
    reasons: dict[int, list[str]] = {}
    if free:
        sim = similarity_matrix(free)
        times = [_time(a) for a in free]
        window = config.window_days * 86400
        allowed = np.ones_like(sim, dtype=bool)
        for i, ti in enumerate(times):
            for j, tj in enumerate(times):
                if ti is not None and tj is not None and abs(ti - tj) > window:
                    allowed[i, j] = False
        for members in _average_link(sim, allowed, config.threshold):
            group = [free[i] for i in members]
            groups.append(group)
            if len(members) > 1:
                sub = sim[np.ix_(members, members)]
                mean = (sub.sum() - len(members)) / (len(members) * (len(members) - 1))
                reasons[id(group)] = [f"average text similarity {mean:.2f} "
                                      f"(threshold {config.threshold:.2f})"]
    groups = _apply_overrides(groups, config, by_id, reasons)

    stories: list[Story] = []
    for pin, pinned_articles in sorted(pinned.items()):
        stories.append(Story(id=pin, slug=slugify(pin) or short_hash(pin),
                             articles=pinned_articles,
                             reasons=[f"pinned with front matter 'story: {pin}'"]))
    used = {s.slug for s in stories}
    for group in groups:
        anchor = min(group, key=lambda a: (a.published or "9999", a.id))
        slug = story_slug(anchor)
        if slug in used:
            slug = f"{slug}-{short_hash(anchor.id, 6)}"
        used.add(slug)
        stories.append(Story(id=anchor.id, slug=slug, articles=sorted(group, key=_order),
                             reasons=reasons.get(id(group), [])))
    stories.sort(key=lambda s: (s.published or "", len(s.articles), s.slug), reverse=True)
    return stories


def story_slug(anchor: Article) -> str:
    """The slug of a story anchored on ``anchor``: its date and headline."""
    base = slugify(anchor.title, max_length=60) or "story"
    return f"{anchor.date}-{base}" if anchor.date else base


def _order(article: Article) -> tuple[str, str]:
    return (article.published or "", article.id)


def _apply_overrides(
    groups: list[list[Article]], config: ClusterConfig, by_id: dict[str, Article],
    reasons: dict[int, list[str]],
) -> list[list[Article]]:
    """Apply ``cluster.merge`` and ``cluster.split`` from the config."""
    for ids in config.split:
        wanted = {i for i in ids if i in by_id}
        if not wanted:
            continue
        new_groups = []
        for group in groups:
            rest = [a for a in group if a.id not in wanted]
            if rest:
                if len(rest) != len(group):
                    reasons[id(rest)] = reasons.get(id(group), [])
                new_groups.append(rest)
        split_group = [by_id[i] for i in sorted(wanted)]
        reasons[id(split_group)] = ["split into its own story by cluster.split in digest.toml"]
        new_groups.append(split_group)
        groups = new_groups
    for ids in config.merge:
        wanted = {i for i in ids if i in by_id}
        if len(wanted) < 2:
            continue
        merged: list[Article] = []
        kept = []
        for group in groups:
            if any(a.id in wanted for a in group):
                merged.extend(group)
            else:
                kept.append(group)
        reasons[id(merged)] = ["merged by cluster.merge in digest.toml"]
        groups = [*kept, merged]
    return groups

"""Perturbation benchmark for numbers that disagree.

    python bench/bench_compare.py ../shared/data [--per-story 0] [--seed 7] [--show] [--sample 20]
        [--misses]

Real multi-source stories from the data folder: BASIL events (three outlets), ECB+
gold clusters (two or more articles) and NeuS ``raw_crawled`` stories (three
outlets). The question is the issue's: change one number in one article, is the
change flagged?

*Candidates* are numbers that state the same claim in two articles, found without
compare's number extractor:

- the two sentences say the same thing: compare's own fact alignment puts them in
  one fact, or (independently of it) they share at least half of their content
  words (Jaccard of stems, numbers left out, at least four words in common);
- the number has the same value in both (``five`` = ``5``), occurs once in each
  sentence, and fills the same slot: the same counted word after it (``people``,
  ``percent``/``%``, ``drones``; scale words such as ``million`` skipped) or, when
  no word is counted, the same word before it (``below 150,000``);
- it is a quantity, not a label: years, days of a month, clock times, ordinals,
  ages, numbers glued to words or other numbers (``G7``, ``3-1``, ``COVID-19``),
  labels after ``No.``/``number`` (``the No. 5 seed``), ranges and alternatives
  (``20 to 30``, ``two or three``, ``a minute or two``) are not candidates;
- *untestable, skipped*: a pair whose figure follows a bound word of the same
  direction in both sentences (``at least 150`` and ``at least 150``). Bound words
  (:data:`BOUNDS`): lower ``at least``, ``more than``, ``over``, ``upwards of``, ``in
  excess of``; upper ``up to``, ``as many as``, ``at most``, ``less than``, ``fewer
  than``, ``under``, ``within``, ``nearly``, ``almost`` (``over``/``within``/``under``
  right after another figure give its span, "$1.2 trillion over eight years", and are
  no bound). Changing one of the two gives ``at least 150`` vs ``at least 217``:
  compatible values, which the labelling protocol below counts as no disagreement
  (a ``false`` alarm if raised) and compare does not raise, so the change creates no
  contradiction to flag. This is the alarm protocol's rule applied to the changes;
  the skipped numbers are counted per corpus (``skipped``; a number that is a
  candidate through another partner is not skipped). ``nearly``/``almost`` are in the
  list although compare still compares two of them ("nearly 7" vs "nearly 9" hours:
  near different figures): the 8 such numbers (ECB+) were all flagged before the skip,
  so skipping them lowers the flagged rate. Skipped at seed 7: BASIL 2, ECB+ 48, NeuS 2.

Each tested candidate is changed in its article to a clearly different value (30%
to 80% more, at least 2 more for small numbers; digits stay digits with the same
grouping and decimals, words stay words), and counts as *flagged* when compare()
on the changed story reports a conflict whose value for the changed article is the
new number, in the changed sentence. ``--per-story N`` tests at most N candidates
per story (reproducible random choice; 0 = all).

*Independent subset*: most candidates are found through compare's own fact
alignment, so the flagged rate partly measures compare against itself. The
``indep`` column counts the candidates the content-word rule alone finds (Jaccard
of content stems >= SIMILAR with >= MIN_SHARED shared words, with some partner
sentence; compare's alignment not used), ``i.tested``/``i.flagd`` the tested ones
among them and the share flagged. The candidate rules are the same; this is a
subset of the same tested changes, not a different draw.

*Alarms*: conflicts compare() raises on the untouched stories. Some are real
disagreements between the outlets (reports written hours apart), so their count
(``alarms/story``) is an upper bound on false alarms. ``false/story`` counts the
alarms a person judged ``false`` in ``bench/alarm_labels.json`` (next to this
script) under the protocol below, plus every alarm with no label; unlabelled
alarms are printed. ``--sample N`` prints N alarms (reproducible random choice),
``--show`` prints them all with their label. Targets: >= 0.9 of changes flagged,
<= 0.05 false alarms per untouched story.

Labelling protocol (issue #6, point 7; written by the lead before any labelling;
its text, shortened only where it repeats the paragraph above):

An *alarm* is a conflict compare() raises on an untouched story of this bench.
Each alarm is judged from its printed sentences alone (the ``--show`` output: for
each value, the sentence that carries it), by a person reading them, before and
independently of any code change. Labels:

- ``real``: the values answer the same question about the same thing, and differ.
  Includes reports written at different times of the same event (a death toll of
  5 in one, 24 in another), rounding or estimate disagreements (150 m vs 60 m for
  one fall), and one source giving a bound where another gives an exact figure
  only when the two are incompatible.
- ``false``: the values are NOT about the same quantity: different subjects (one
  player's points vs another's), different scope (one school's dead vs the whole
  war's dead), part vs whole (cash part vs total price), different measures of one
  event (depth vs distance), different events or periods (this year vs 2004), a
  figure that is not a claim about the story (a poll's margin of error vs a
  share), or values that do not actually disagree (about 75 km vs some 75 km;
  "at least 40" vs "42").
- When an alarm has more than two values, it is ``real`` if at least two of its
  values are a real disagreement by the rules above; otherwise ``false``.
- When in doubt, ``false`` (precision before recall).

Labels are a list of ``{"story": <bench story id>, "about": <conflict about>,
"values": [sorted value strings], "label": "real"|"false", "why": <a few words>}``
with no sentence text (publishers' text must not enter the repository). An alarm
matches a label by story id and sorted value strings (values come straight from
the source text, so an extractor that reads a different span gives a new,
unlabelled alarm). Unlabelled alarms count as false.

BASIL and NeuS articles carry their publication dates (BASIL per article, NeuS the
story's date), so reports published days apart get the ``as_of`` label; ECB+ has none.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from generator.compare import compare
from generator.compare.facts import align
from generator.compare.lexicon import STOP, stem, stems
from generator.compare.numbers import MONTHS, WORD_NUMBERS
from generator.model import Article, Conflict, Story
from generator.text import fold, split_sentences

_WORDS = "|".join(sorted(WORD_NUMBERS, key=len, reverse=True))
_NUM = re.compile(r"(?<![\w.,:/\-])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|(?i:" + _WORDS
                  + r"))(?![\w\-/]|[.,:]\d)")
_SCALES = frozenset("thousand million billion trillion mn bn m k tn".split())
_CLOCK = frozenset("am pm a.m p.m gmt utc et edt est pdt pst cet bst".split())
_NEXT = re.compile(r"\s*(%|[^\W\d_][\w'’.\-]*)")
_PREV = re.compile(r"([^\W\d_][\w'’\-]*|[$€£¥])\s*$")

BOUNDS = {
    "at least": "lower", "more than": "lower", "over": "lower", "upwards of": "lower",
    "in excess of": "lower",
    "up to": "upper", "as many as": "upper", "at most": "upper", "less than": "upper",
    "fewer than": "upper", "under": "upper", "within": "upper", "nearly": "upper",
    "almost": "upper",
}
"""Bound words right before a figure and the direction they bound it (the module doc)."""
_BOUND = re.compile(r"\b(" + "|".join(sorted(BOUNDS, key=len, reverse=True))
                    + r")\s*[$€£¥]?\s*$", re.I)
_SPAN = re.compile(r"\d[\w.,%]*(?:\s+\S+){0,2}\s+(?:over|within|under)\s*[$€£¥]?\s*$", re.I)
"""``over``/``within``/``under`` right after another figure give its span ("$1.2 trillion
over eight years"), no bound (as in compare)."""

SIMILAR = 0.5
"""Jaccard of content stems at and above which two sentences state the same claim."""
MIN_SHARED = 4
"""Content words two such sentences must share."""


def _article(aid: str, title: str, paragraphs: list[list[str]],
             published: str | None = None) -> Article:
    paras = [[s for s in p if s.strip()] for p in paragraphs]
    paras = [p for p in paras if p]
    return Article(id=aid, path=aid, folder="bench", title=title,
                   paragraphs=[" ".join(p) for p in paras], sentences=paras,
                   published=published)


def basil(data: Path) -> list[Story]:
    events: dict[str, list[Article]] = defaultdict(list)
    for path in sorted((data / "basil" / "articles").glob("*/*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        events[raw["triplet-uuid"]].append(_article(path.stem, raw.get("title", ""),
                                                    raw["body-paragraphs"], raw.get("date")))
    return [Story(id=f"basil-{k}", slug=k, articles=v) for k, v in sorted(events.items())
            if len(v) > 1]


def ecbplus(data: Path) -> list[Story]:
    clusters: dict[str, list[Article]] = defaultdict(list)
    with (data / "ecbplus" / "dev.jsonl").open(encoding="utf-8") as f:
        for line in f:
            raw = json.loads(line)
            sents = [s.replace("``", "“").replace("''", "”") for s in raw["sentences"]]
            clusters[raw["cluster"]].append(_article(raw["doc_id"], sents[0] if sents else "",
                                                     [sents[1:]]))
    return [Story(id=f"ecb-{k}", slug=k, articles=v) for k, v in sorted(clusters.items())
            if len(v) > 1]


def neus(data: Path) -> list[Story]:
    stories = []
    with (data / "neus" / "raw_crawled.jsonl").open(encoding="utf-8") as f:
        for n, line in enumerate(f):
            raw = json.loads(line)
            arts = []
            for side in ("left", "center", "right"):
                item = (raw.get("news") or {}).get(side)
                if not item or not item.get("newBody"):
                    continue
                paras = [split_sentences(p) for p in item["newBody"] if p.strip()]
                arts.append(_article(f"{n}-{side}", item.get("newsTitle", ""), paras,
                                     raw.get("date")))
            if len(arts) > 1:
                stories.append(Story(id=f"neus-{n}", slug=str(n), articles=arts))
    return stories


def _value(tok: str) -> float | None:
    t = fold(tok)
    if t in WORD_NUMBERS:
        return float(WORD_NUMBERS[t])
    try:
        return float(t.replace(",", ""))
    except ValueError:
        return None


@dataclass(frozen=True)
class Number:
    """A quantity in one sentence: where it is, its value and its slot."""

    start: int
    end: int
    token: str
    value: float
    slot: str
    bound: str = ""
    """``lower`` or ``upper`` when a bound word precedes the number (:data:`BOUNDS`)."""


def numbers(sentence: str) -> list[Number]:
    """Quantities of a sentence (labels such as years, dates, times and ordinals left out)."""
    out = []
    for m in _NUM.finditer(sentence):
        tok = m.group(1)
        value = _value(tok)
        if value is None:
            continue
        rest = sentence[m.end():]
        head = sentence[:m.start()]
        nm = _NEXT.match(rest)
        pm = _PREV.search(head)
        nxt = fold(nm.group(1)).rstrip(".") if nm else ""
        prev = fold(pm.group(1)) if pm else ""
        if nxt in MONTHS or prev in MONTHS or nxt in _CLOCK or nxt in ("a", "p") \
                or prev in ("no", "aged", "age"):
            continue
        if tok.isdigit() and 1800 <= value <= 2100 and prev not in "$€£¥":
            continue
        if nxt in ("st", "nd", "rd", "th") or nxt.startswith(("year-old", "years-old")) \
                or re.match(r"\s*[\-–]\s*\w", rest) or re.search(r"\w\s*[\-–]\s*$", head):
            continue  # ordinals, ages, scores, ranges, compounds ("32 - bit", tokenised)
        if re.match(r"\s?[,.:]\s?\d", rest) or re.search(r"\d\s?[,.:]\s?$", head):
            continue  # part of a number or time split by tokenisation ("657, 600", "3: 30")
        if re.match(r"\s*(?:to|and|of|out of|or)\s+(?:\d|(?i:" + _WORDS + r")\b)", rest) \
                or re.search(r"(?:\d|\b(?i:" + _WORDS + r"))\s+(?:to|and|of|out of)\s*$", head):
            continue  # ranges, ratios, alternatives: "20 to 30", "8 and 9", "29 of 34", "2 or 3"
        if re.search(r"\bor\s*$", head, re.I):
            continue  # an alternative or a vague amount: "3 or 4", "a minute or two"
        if re.search(r"\b(?:no|nos|number)\.?\s*$", head, re.I):
            continue  # a label: "No. 5 seed", "incarnation of number 12"
        if pm and pm.group(1)[:1].isupper() and head[:pm.start()].strip():
            continue  # a label after a name: "Amendment 64", "Explorer 8", "Flight 370"
        if re.search(r"\d[^()]{0,30}\(\s*[$€£¥]?$", head):
            continue  # a unit conversion in brackets: "60 metres (200 feet)"
        words = rest.split()
        k = 0
        while k < len(words) and fold(words[k]).strip(".,") in _SCALES:
            k += 1
        following = _NEXT.match(" ".join(words[k:])) if k < len(words) else None
        noun = fold(following.group(1)).rstrip(".") if following else ""
        if noun in ("%", "percent") or (noun == "per" and rest.lstrip().startswith("per cent")):
            slot = "percent"
        elif noun and noun not in STOP and not rest.lstrip().startswith((",", ".", ";", ")")):
            slot = stem(noun)
        elif prev:
            slot = "<" + prev
        else:
            continue
        bm = _BOUND.search(head)
        bound = BOUNDS[re.sub(r"\s+", " ", fold(bm.group(1)))] if bm and not _SPAN.search(
            head) else ""
        out.append(Number(m.start(1), m.end(1), tok, value, slot, bound))
    return out


@dataclass(frozen=True)
class Candidate:
    article: int
    paragraph: int
    sentence: int
    number: Number
    partner: str
    via: str
    """``aligned`` (compare's fact alignment) or ``similar`` (content words)."""
    independent: bool = False
    """The content-word rule alone finds it (with some partner), without compare's alignment."""


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def candidates(story: Story, skipped: set[tuple[int, int, int]] | None = None
               ) -> list[Candidate]:
    """Numbers stating the same claim as a number of another article (see the module doc).

    ``skipped`` receives the numbers left out only because both sentences bound them the
    same way (``at least 150`` in both): changing one gives compatible values, no
    contradiction, so the change cannot be tested."""
    arts = story.articles
    place: list[list[tuple[int, int]]] = []
    for article in arts:
        place.append([(pi, si) for pi, para in enumerate(article.sentences)
                      for si in range(len(para))])
    index_of = {a.id: i for i, a in enumerate(arts)}
    aligned: set[tuple[int, int, int, int]] = set()
    for fact in align(arts).facts:
        anchors = sorted((index_of[a], n) for a, n in fact.anchors.items())
        for x, (ai, si) in enumerate(anchors):
            for bi, sj in anchors[x + 1:]:
                aligned.add((ai, si, bi, sj))
    found: list[tuple[int, int, str, set[str], list[Number]]] = []
    for ai, article in enumerate(arts):
        for si, sentence in enumerate(article.all_sentences):
            nums = numbers(sentence)
            if nums:
                found.append((ai, si, sentence, set(stems(sentence, keep_numbers=False)), nums))
    out: dict[tuple[int, int, int], Candidate] = {}
    for x, (ai, si, _, wa, na) in enumerate(found):
        for bi, sj, _, wb, nb in found[x + 1:]:
            if ai == bi:
                continue
            similar = len(wa & wb) >= MIN_SHARED and _jaccard(wa, wb) >= SIMILAR
            if (ai, si, bi, sj) in aligned:
                via = "aligned"
            elif similar:
                via = "similar"
            else:
                continue
            for a in na:
                if sum(1 for n in na if n.value == a.value) != 1:
                    continue
                same = [b for b in nb if b.value == a.value]
                if len(same) != 1 or same[0].slot != a.slot:
                    continue
                b = same[0]
                if a.bound and a.bound == b.bound:
                    if skipped is not None:
                        skipped.update({(ai, si, a.start), (bi, sj, b.start)})
                    continue  # same-direction bounds never contradict: untestable
                for art, s, num, other in ((ai, si, a, bi), (bi, sj, b, ai)):
                    key = (art, s, num.start)
                    before = out.get(key)
                    indep = similar or (before is not None and before.independent)
                    if before is None or (before.via == "similar" and via == "aligned"):
                        pi, pj = place[art][s]
                        out[key] = Candidate(art, pi, pj, num, arts[other].id, via, indep)
                    elif indep != before.independent:
                        out[key] = replace(before, independent=True)
    if skipped is not None:
        skipped.difference_update(out)  # a candidate through another partner stays one
    return [out[k] for k in sorted(out)]


def _new_token(tok: str, value: float, rng: random.Random) -> str:
    """A clearly different value written like ``tok``."""
    if not tok[0].isdigit():
        pool = sorted({w for w, v in WORD_NUMBERS.items()
                       if v >= value + 2 and v <= max(value + 6, value * 1.8) and "-" not in w},
                      key=lambda w: WORD_NUMBERS[w])
        word = rng.choice(pool) if pool else "ninety"
        return word.capitalize() if tok[0].isupper() else word
    decimals = len(tok.partition(".")[2])
    new = value * rng.uniform(1.3, 1.8)
    if value < 10:
        new = max(new, value + 2)
    new = round(new, decimals)
    text = f"{new:,.{decimals}f}" if "," in tok else f"{new:.{decimals}f}"
    return text


def perturb(story: Story, cand: Candidate, rng: random.Random) -> tuple[Story, str, str, str]:
    """A copy of the story with the candidate changed: (story, article id, sentence, new)."""
    new = _new_token(cand.number.token, cand.number.value, rng)
    changed = copy.deepcopy(story)
    article = changed.articles[cand.article]
    sentence = article.sentences[cand.paragraph][cand.sentence]
    n = cand.number
    article.sentences[cand.paragraph][cand.sentence] = sentence[:n.start] + new + sentence[n.end:]
    article.paragraphs[cand.paragraph] = " ".join(article.sentences[cand.paragraph])
    return changed, article.id, article.sentences[cand.paragraph][cand.sentence], new


def flagged(conflicts: list[Conflict], aid: str, sentence: str, new: str) -> bool:
    """A conflict gives the changed article's new value in the changed sentence."""
    return any(aid in v.articles and v.text == sentence and new in v.value
               for c in conflicts for v in c.values)


def _show(story: Story, c: Conflict) -> str:
    return f"  [{story.id}] {c.kind} {c.about}: " + " | ".join(
        f"{v.value} ({','.join(v.articles)}): {v.text}" for v in c.values)


LABELS = Path(__file__).parent / "alarm_labels.json"
"""A person's judgement of each alarm (``real``/``false``), keyed by story and values."""

AlarmKey = tuple[str, tuple[str, ...]]


def alarm_key(story: Story, c: Conflict) -> AlarmKey:
    """How an alarm is matched to its label: story id and sorted value strings."""
    return story.id, tuple(sorted(v.value for v in c.values))


def load_labels(path: Path) -> dict[AlarmKey, str]:
    """The labels file as {(story, values): "real" | "false"} (checked: no duplicates)."""
    if not path.exists():
        return {}
    labels: dict[AlarmKey, str] = {}
    for item in json.loads(path.read_text(encoding="utf-8")):
        key = (item["story"], tuple(sorted(item["values"])))
        if item["label"] not in ("real", "false"):
            raise ValueError(f"{path.name}: label must be real or false: {item}")
        if key in labels:
            raise ValueError(f"{path.name}: two labels for one alarm: {key}")
        labels[key] = item["label"]
    return labels


@dataclass
class Tally:
    """Counts of one corpus (or of all)."""

    stories: int = 0
    cands: int = 0
    skipped: int = 0
    aligned: int = 0
    independent: int = 0
    tested: int = 0
    hits: int = 0
    tested_indep: int = 0
    hits_indep: int = 0
    alarms: int = 0
    false: int = 0
    differ: int = 0
    elapsed: float = 0.0

    def add(self, other: Tally) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def row(self, name: str) -> str:
        n = max(1, self.stories)
        return (f"{name:<7} {self.stories:>7} {self.cands:>6} {self.skipped:>7} {self.aligned:>7} "
                f"{self.independent:>6} {self.tested:>6} {self.hits / max(1, self.tested):>8.3f} "
                f"{self.tested_indep:>7} {self.hits_indep / max(1, self.tested_indep):>8.3f} "
                f"{self.alarms / n:>13.3f} {self.false / n:>12.3f} {self.differ / n:>13.3f} "
                f"{1000 * self.elapsed / max(1, self.stories + self.tested):>9.1f}")


HEADER = (f"{'corpus':<7} {'stories':>7} {'cands':>6} {'skipped':>7} {'aligned':>7} {'indep':>6} "
          f"{'tested':>6} {'flagged':>8} {'i.tested':>7} {'i.flagd':>8} {'alarms/story':>13} "
          f"{'false/story':>12} {'differ/story':>13} {'ms/story':>9}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="the evaluation data folder (../shared/data)")
    parser.add_argument("--per-story", type=int, default=0,
                        help="changes tested per story (0: every candidate)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show", action="store_true", help="print every alarm")
    parser.add_argument("--sample", type=int, default=0,
                        help="print this many alarms, chosen at random, for manual checking")
    parser.add_argument("--misses", action="store_true", help="print every change not flagged")
    args = parser.parse_args(argv)
    labels = load_labels(LABELS)
    corpora = {"BASIL": basil(args.data), "ECB+": ecbplus(args.data), "NeuS": neus(args.data)}
    print(HEADER)
    total = Tally()
    every_alarm: list[str] = []
    unlabelled: list[str] = []
    seen: dict[AlarmKey, int] = defaultdict(int)
    for name, stories in corpora.items():
        rng = random.Random(args.seed)
        t = Tally(stories=len(stories))
        started = time.perf_counter()
        for story in stories:
            base = compare(story).conflicts
            t.alarms += len(base)
            t.differ += sum(1 for c in base if c.kind == "differ")
            for c in base:
                key = alarm_key(story, c)
                seen[key] += 1
                label = labels.get(key)
                if label != "real":
                    t.false += 1
                if label is None:
                    unlabelled.append(_show(story, c))
                every_alarm.append(_show(story, c))
                if args.show:
                    print(f"{label or 'UNLABELLED':<10}" + _show(story, c))
            skipped: set[tuple[int, int, int]] = set()
            options = candidates(story, skipped)
            t.cands += len(options)
            t.skipped += len(skipped)
            t.aligned += sum(1 for c in options if c.via == "aligned")
            t.independent += sum(1 for c in options if c.independent)
            if args.per_story and len(options) > args.per_story:
                options = rng.sample(options, args.per_story)
            for cand in options:
                changed, aid, sentence, new = perturb(story, cand, rng)
                hit = flagged(compare(changed).conflicts, aid, sentence, new)
                t.tested += 1
                t.hits += hit
                t.tested_indep += cand.independent
                t.hits_indep += hit and cand.independent
                if not hit and args.misses:
                    print(f"  MISS [{story.id}] {cand.via}{'+indep' if cand.independent else ''} "
                          f"{cand.number.token}->{new} ({cand.number.slot}) {aid}: {sentence}")
        t.elapsed = time.perf_counter() - started
        print(t.row(name))
        total.add(t)
    print(total.row("all"))
    print(f"\nflagged on the independent subset (content-word rule alone, without compare's "
          f"alignment): {total.hits_indep} of {total.tested_indep} tested "
          f"({total.independent} of {total.cands} candidates); the rest, found through the "
          f"alignment only: {total.hits - total.hits_indep} of {total.tested - total.tested_indep}")
    if total.tested_indep and total.hits_indep < 0.9 * total.tested_indep:
        print("  below the 0.9 target on the independent subset")
    print(f"alarms: {total.alarms} ({total.alarms / max(1, total.stories):.4f} per untouched "
          f"story), judged false {total.false} ({total.false / max(1, total.stories):.4f}; "
          f"unlabelled ones counted false; labels: {LABELS.name}, {len(labels)} entries)")
    dupes = sorted(k for k, n in seen.items() if n > 1)
    for key in dupes:
        print(f"  warning: {seen[key]} alarms share one label key {key}")
    stale = sorted(k for k in labels if k not in seen)
    if stale:
        print(f"  {len(stale)} labels match no alarm of this run (stale): "
              + "; ".join(f"{s} {list(v)}" for s, v in stale))
    if unlabelled:
        print(f"\n{len(unlabelled)} unlabelled alarms (counted as false):")
        for line in unlabelled:
            print(line)
    if args.sample and every_alarm:
        print(f"\n{min(args.sample, len(every_alarm))} of {len(every_alarm)} alarms "
              f"(seed {args.seed}):")
        for line in random.Random(args.seed).sample(every_alarm,
                                                    min(args.sample, len(every_alarm))):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

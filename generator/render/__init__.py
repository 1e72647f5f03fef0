"""Stage 6, render: turn the digest into the site's files (in memory).

HTML pages come from Jinja2 templates with autoescaping on: article text is
untrusted and never reaches the page unescaped; only http(s) URLs become links.
A user's ``templates`` folder overrides the built-in theme template by template
(and ``templates/static/`` file by file). Besides the pages, render writes the
Atom feeds (:mod:`.feeds`), ``sitemap.xml``, ``robots.txt`` and the search
index (:mod:`.machine`), and ``api/stories.json`` (see ``docs/json.md``).

Every link is root-relative under the base path (:meth:`Site.url`), so the same
output works at a domain root and under a subpath such as ``/repo/``.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _json_str
from pathlib import Path
from typing import Any, Protocol, cast

import jinja2
import markupsafe

from ..config import Config
from ..model import Article, Digest, Story
from ..text import fold
from ..theme import theme_dir
from . import feeds, machine
from .site import (
    Site,
    day_of,
    html_lang,
    human_day,
    human_time,
    latest_first,
    safe_url,
    source_labels,
    story_first_time,
    story_span,
    story_time,
)

__all__ = ["JSON_VERSION", "Reuse", "Site", "indented_json", "make_environment", "markdown_html",
           "render", "safe_url", "stories_json", "theme_dir"]

JSON_VERSION = 1
HOME_STORIES = 30
"""Stories listed on the home page; older ones are in the archive."""
MATRIX_FACTS = 40
"""Rows of a story's coverage matrix (facts reported by the most sources first)."""

_URL_RE = re.compile(r"\bhttps?://[^\s<>\"'`“”‘’]+", re.I)
_WORD_RE = re.compile(r"[^\W_](?:[^\W_]|['’\-.](?=[^\W_]))*")


def _plain_escape(s: str) -> str:
    return str(markupsafe.escape(s))


_escape_str: Callable[[str], str]
try:
    from markupsafe._speedups import _escape_inner

    _escape_str = _escape_inner
except ImportError:  # markupsafe without its C speedups
    _escape_str = _plain_escape


def escape_text(value: Any) -> str:
    """``str(markupsafe.escape(value))``: the same text, without making a ``Markup``
    object (Python code in markupsafe, about half the cost of escaping). For pieces
    that are only joined into a larger text."""
    kind = type(value)
    if kind is str:
        return _escape_str(value)
    if kind is markupsafe.Markup:
        return str(value)
    if kind is int:
        return int.__repr__(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return _escape_str(str(value))


class _Template(jinja2.Template):
    """Jinja2's template whose ``{{ ... }}`` outputs are escaped by :func:`escape_text`.

    Compiled template code escapes each output with markupsafe's ``escape``, which
    makes a ``Markup`` of every piece; the pieces are only ever joined (a page's
    text, or a macro's, ``set`` block's or filter block's buffer, which Jinja2 marks
    safe as a whole), so the plain escaped text gives the same output for less."""

    @classmethod
    def from_code(cls, environment: jinja2.Environment, code: Any,
                  globals: Any, uptodate: Callable[[], bool] | None = None) -> jinja2.Template:
        template = super().from_code(environment, code, globals, uptodate)
        # The module namespace the template's functions run in (its blocks' too).
        template.root_render_func.__globals__["escape"] = escape_text
        return template


def markdown_html(text: str) -> markupsafe.Markup:
    """Markdown to HTML with raw HTML disabled and only http(s)/mailto links kept."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False})
    default_validate = md.validateLink

    def validate(url: str) -> bool:
        scheme = url.split(":", 1)[0].lower() if re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I) else ""
        return default_validate(url) and scheme in ("", "http", "https", "mailto")

    md.validateLink = validate  # type: ignore[method-assign]
    return markupsafe.Markup(md.render(text))


def linkify(text: str) -> markupsafe.Markup:
    """Escaped text in which bare http(s) URLs become links (nothing else does)."""
    if "http" not in text.lower():
        return markupsafe.escape(text)
    out: list[str] = []
    last = 0
    for m in _URL_RE.finditer(text):
        url = m.group(0).rstrip(".,;:!?)]}")
        end = m.start() + len(url)
        href = safe_url(url)
        out.append(escape_text(text[last:m.start()]))
        if href:
            out.append(str(markupsafe.Markup('<a href="{}" rel="nofollow noopener">{}</a>')
                           .format(href, url)))
        else:
            out.append(escape_text(url))
        last = end
    out.append(escape_text(text[last:]))
    return markupsafe.Markup("".join(out))


def mark_words(title: str, distinct: list[str]) -> markupsafe.Markup:
    """The headline, escaped, with the words no other headline uses in ``<mark>``."""
    if not distinct:
        return markupsafe.escape(title)
    wanted = {fold(w) for w in distinct}
    escape = escape_text
    out: list[str] = []
    last = 0
    for m in _WORD_RE.finditer(title):
        word = m.group(0)
        if fold(word) in wanted:
            out.append(escape(title[last:m.start()]))
            out.append("<mark>" + escape(word) + "</mark>")
            last = m.end()
    out.append(escape(title[last:]))
    return markupsafe.Markup("".join(out))


def time_tag(value: str | None) -> markupsafe.Markup:
    """``<time datetime="...">`` with the time as the source gave it, shown for people
    (empty when there is no time)."""
    if not value:
        return markupsafe.Markup("")
    escape = escape_text
    return markupsafe.Markup(f'<time datetime="{escape(value)}">{escape(human_time(value))}</time>')


@jinja2.pass_context
def source_chips(context: jinja2.runtime.Context, ids: list[str], labels: Mapping[str, str],
                 articles_by_id: Mapping[str, Article],
                 anchors: Mapping[str, int] | None = None) -> markupsafe.Markup:
    """The list of source chips under a summary sentence, a figure, a quote or a group
    of copies: each source's label, linked to its cleaned copy (at ``#s<N>``, the
    sentence, when ``anchors`` has one). Called thousands of times a build, so written
    here rather than as a template macro (``m.chips`` calls this)."""
    site: Site = context["site"]
    escape = escape_text
    out = ['<ul class="chips" aria-label="Sources">\n']
    for aid in ids:
        label = escape(labels.get(aid, aid))
        article = articles_by_id.get(aid)
        if article:
            anchor = anchors.get(aid) if anchors else None
            fragment = "" if anchor is None else f"#s{escape(anchor)}"
            out.append(f'<li><a class="chip" href="{escape(site.url(article.page))}{fragment}">'
                       f"{label}</a></li>\n")
        else:
            out.append(f'<li><span class="chip">{label}</span></li>\n')
    out.append("</ul>\n")
    return markupsafe.Markup("".join(out))


def sentence_spans(sentences: list[tuple[int, str]]) -> markupsafe.Markup:
    """A paragraph's numbered sentences (from :func:`numbered`) as
    ``<span id="s<N>">sentence</span> `` each, the text through :func:`linkify`: the
    same HTML as a template loop over them, without a Jinja2 step per sentence."""
    return markupsafe.Markup("".join([f'<span id="s{int(i)}">{linkify(s)}</span> '
                                      for i, s in sentences]))


def story_meta(story: Story) -> str:
    """A story card's sources line: how many sources and independent reports (the
    ``m.story_meta`` macro's text, as a filter: a macro call per card costs more)."""
    text = plural(len(story.articles), "source")
    if story.differences:
        text += " · " + plural(story.differences.independent_reports, "independent report")
    return text


def numbered(paragraphs: list[list[str]]) -> Iterator[list[tuple[int, str]]]:
    """Each paragraph's sentences with their number in the whole text (from 0): the
    anchors summary chips link to."""
    start = 0
    for sentences in paragraphs:
        yield list(enumerate(sentences, start))
        start += len(sentences)


def count_unique(values: Iterable[Any]) -> int:
    """How many distinct values, strings compared ignoring case: ``values|unique|list|length``
    in one step (Jinja's ``unique`` filter yields item by item)."""
    return len({v.lower() if isinstance(v, str) else v for v in values})


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def make_environment(config: Config, compiled: Path | None = None) -> jinja2.Environment:
    """The theme's Jinja2 environment: the user's templates folder first, then the built-in.

    Environments are kept between builds (compiling the theme is most of render's
    time); Jinja2 reloads any template whose file changed, so a kept one is never stale.
    With ``compiled``, templates compiled by earlier processes are kept in that
    folder (Jinja2's bytecode cache: an entry is used only for the same template
    source and Python version).
    """
    user = config.resolve(config.templates).resolve()
    builtin = theme_dir().resolve()
    return _environment(str(user) if user != builtin else None, str(builtin),
                        str(compiled) if compiled is not None else None)


THEME_PAGES = ("base.html", "index.html", "story.html", "article.html", "archive.html",
               "day.html", "search.html", "page.html", "404.html")
"""The templates :func:`render` renders the site with."""


def prepare(config: Config, compiled: Path | None = None) -> None:
    """Load (compile) the templates :func:`render` will use, in the environment it will
    use: a build calls this ahead of rendering, while its workers are busy."""
    env = make_environment(config, compiled)
    for name in THEME_PAGES:
        env.get_template(name)


class _CheckedBytecode(jinja2.FileSystemBytecodeCache):
    """Jinja2's file bytecode cache with a sha256 of each entry in front of it, so a
    damaged entry is compiled again rather than run; entries are written through a
    rename, so concurrent builds never read half of one."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            data = Path(self._get_cache_filename(bucket)).read_bytes()
        except OSError:
            return
        digest, body = data[:32], data[32:]
        if hashlib.sha256(body).digest() == digest:
            bucket.bytecode_from_string(body)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        import os

        body = bucket.bytecode_to_string()
        path = Path(self._get_cache_filename(bucket))
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_bytes(hashlib.sha256(body).digest() + body)
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)


@functools.lru_cache(maxsize=8)
def _environment(user: str | None, builtin: str, compiled: str | None) -> jinja2.Environment:
    # The user folder may appear after the environment is made: the loader skips
    # a missing folder, so it is always listed.
    loaders: list[jinja2.BaseLoader] = []
    if user is not None:
        loaders.append(jinja2.FileSystemLoader(user))
    loaders.append(jinja2.FileSystemLoader(builtin))
    bytecode: jinja2.BytecodeCache | None = None
    if compiled is not None:
        try:
            Path(compiled).mkdir(parents=True, exist_ok=True)
            bytecode = _CheckedBytecode(compiled)
        except OSError:
            bytecode = None  # compile every time, as without a cache
    env = jinja2.Environment(
        bytecode_cache=bytecode,
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.template_class = _Template
    env.filters["safe_url"] = safe_url
    env.filters["outlet"] = outlet_name
    env.filters["human_time"] = human_time
    env.filters["time_tag"] = time_tag
    env.filters["numbered"] = numbered
    env.filters["count_unique"] = count_unique
    env.globals["source_chips"] = source_chips
    env.filters["human_day"] = human_day
    env.filters["linkify"] = linkify
    env.filters["mark_words"] = mark_words
    env.filters["plural"] = plural
    env.filters["sentence_spans"] = sentence_spans
    env.filters["story_meta"] = story_meta
    env.filters["span"] = story_span
    return env


def outlet_name(article: Article) -> str:
    return article.outlet or "Outlet not named"


def article_json(article: Article, site: Site) -> dict[str, Any]:
    return {
        "id": article.id,
        "path": article.path,
        "outlet": article.outlet,
        "url": article.url,
        "title": article.title,
        "published": article.published,
        "page": site.url(article.page),
    }


def story_json(story: Story, site: Site) -> dict[str, Any]:
    d = story.differences
    data: dict[str, Any] = {
        "id": story.id,
        "slug": story.slug,
        "title": story.title,
        "page": site.url(story.page),
        "published": story.published,
        "summary": [{"text": s.text, "articles": s.articles} for s in story.summary],
        "articles": [article_json(a, site) for a in story.articles],
        "reasons": story.reasons,
    }
    if d is not None:
        data["differences"] = {
            "facts": [{"text": f.text, "articles": f.articles, "anchors": f.anchors}
                      for f in d.facts],
            "unique": {aid: [{"text": f.text, "anchor": f.anchors.get(aid)} for f in facts]
                       for aid, facts in d.unique.items()},
            "conflicts": [
                {"about": c.about, "kind": c.kind, "note": c.note,
                 "values": [{"value": v.value, "number": v.number, "qualifier": v.qualifier,
                             "articles": v.articles, "text": v.text, "as_of": v.as_of,
                             "according_to": v.according_to, "update": v.update}
                            for v in c.values]}
                for c in d.conflicts
            ],
            "quotes": [{"speaker": q.speaker, "text": q.text, "articles": q.articles,
                        "only_source": q.only_source}
                       for q in d.quotes],
            "headlines": [{"article": h.article, "title": h.title,
                           "distinct_words": h.distinct_words} for h in d.headlines],
            "syndication": d.syndication,
            "independent_reports": d.independent_reports,
            "entities": d.entities,
        }
    return data


def stories_json(digest: Digest, site: Site,
                 story_text: Callable[[Story], str] | None = None) -> bytes:
    """``api/stories.json``; ``story_text`` may supply each story's indented JSON
    (:func:`story_json_text`), e.g. kept from the last build."""
    if not digest.stories:
        payload = {"version": JSON_VERSION, "title": site.title, "stories": []}
        return (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    text = story_text or (lambda story: story_json_text(story, site))
    # The same bytes as json.dumps(payload, indent=2): each story is dumped alone
    # (one level deep) and indented by two more levels.
    head = json.dumps({"version": JSON_VERSION, "title": site.title},
                      ensure_ascii=False, indent=2)[:-2]
    items = ",\n    ".join(text(s).replace("\n", "\n    ") for s in digest.stories)
    return (head + ',\n  "stories": [\n    ' + items + "\n  ]\n}\n").encode("utf-8")


def story_json_text(story: Story, site: Site) -> str:
    """One story of ``stories.json`` as indented JSON text (top level)."""
    return indented_json(story_json(story, site))


class _Unusual(Exception):
    """A value :func:`indented_json` leaves to :func:`json.dumps`."""


_INFINITY = float("inf")


def indented_json(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)``, the same text made faster.

    With ``indent``, the standard library encodes in Python, one generator step per
    token; this writes the plain values JSON gives (dicts with string keys, lists,
    strings, ints, finite floats, booleans, None) with one append per token and
    leaves anything else (other key or value types, NaN, infinities) to
    :func:`json.dumps` itself.
    """
    out: list[str] = []
    try:
        _indented(value, "\n", out)
    except _Unusual:
        return json.dumps(value, ensure_ascii=False, indent=2)
    return "".join(out)


def _flat_members(value: dict[Any, Any]) -> list[str] | None:
    """A dict's ``"key": value`` members when every key is a string and every value a
    string or an int (None otherwise)."""
    members: list[str] = []
    for key, item in value.items():
        if type(key) is not str:
            return None
        kind = type(item)
        if kind is str:
            members.append(f"{_json_str(key)}: {_json_str(item)}")
        elif kind is int:
            members.append(f"{_json_str(key)}: {int.__repr__(item)}")
        else:
            return None
    return members


def _indented(value: Any, newline: str, out: list[str]) -> None:
    kind = type(value)
    if kind is str:
        out.append(_json_str(value))
    elif kind is dict:
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        sep = "{" + inner
        for key, item in value.items():
            if type(key) is not str:
                raise _Unusual
            kind = type(item)
            if kind is str:
                out.append(f"{sep}{_json_str(key)}: {_json_str(item)}")
            elif kind is int:
                out.append(f"{sep}{_json_str(key)}: {int.__repr__(item)}")
            elif item is None:
                out.append(f"{sep}{_json_str(key)}: null")
            elif (kind is list and item
                  and all(type(element) is str for element in item)):
                # A list of strings (a fact's articles): written here, not by a call.
                deeper = inner + "  "
                out.append(f"{sep}{_json_str(key)}: [{deeper}"
                           + ("," + deeper).join(map(_json_str, item)) + inner + "]")
            elif kind is dict and item and (flat := _flat_members(item)) is not None:
                # A dict of strings and ints (a fact's anchors): written here too.
                deeper = inner + "  "
                out.append(f"{sep}{_json_str(key)}: {{{deeper}"
                           + ("," + deeper).join(flat) + inner + "}")
            else:
                out.append(f"{sep}{_json_str(key)}: ")
                _indented(item, inner, out)
            sep = "," + inner
        out.append(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        if all(type(item) is str for item in value):
            out.append("[" + inner + ("," + inner).join(map(_json_str, value)) + newline + "]")
            return
        sep = "[" + inner
        for item in value:
            out.append(sep)
            _indented(item, inner, out)
            sep = "," + inner
        out.append(newline + "]")
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind is float and value == value and value not in (_INFINITY, -_INFINITY):
        out.append(float.__repr__(value))
    else:
        raise _Unusual


def story_view(story: Story, site: Site | None = None) -> dict[str, Any]:
    """What the story template needs beyond the story itself (computed once per story;
    ``only``, the "Only here" list, needs the ``site``)."""
    labels = source_labels(story.articles)
    order = [a.id for a in story.articles]
    d = story.differences
    shared: list[Any] = []
    single = 0
    if d is not None:
        shared = [f for f in d.facts if len(set(f.articles)) > 1]
        single = len(d.facts) - len(shared)
        shared.sort(key=lambda f: -len(set(f.articles)))
    matrix = shared[:MATRIX_FACTS]
    return {
        "labels": labels,
        "order": order,
        "matrix": matrix,
        "matrix_more": len(shared) - len(matrix),
        "single_facts": single,
        "first_time": story_first_time(story),
        "last_time": story_time(story),
        "columns": [(aid, labels[aid]) for aid in order],
        "only": only_here(story, labels, site) if site is not None else [],
    }


OnlyHere = tuple[str, str, int, list[tuple[str, int | None]], list[tuple[str, int | None]]]


def only_here(story: Story, labels: Mapping[str, str], site: Site) -> list[OnlyHere]:
    """The "Only here" list of a story page: for each source (in the story's order)
    with facts no other source reports, its page's URL, its label, how many facts,
    and the first five then the rest as (text, sentence number or None). What the
    template needs per fact, looked up once per source instead of once per fact."""
    d = story.differences
    if d is None:
        return []
    out: list[OnlyHere] = []
    for article in story.articles:
        aid = article.id
        facts = d.unique.get(aid, [])
        if not facts:
            continue
        items = [(f.text, getattr(f, "anchors", {}).get(aid)) for f in facts]
        out.append((site.url(article.page), labels[aid], len(facts), items[:5], items[5:]))
    return out


class TextStore(Protocol):
    """Where texts are kept between builds (the build cache)."""

    def get(self, key: str) -> str | None: ...

    def __setitem__(self, key: str, value: str) -> None: ...


@dataclass
class Reuse:
    """What lets a rebuild keep story and article pages whose inputs did not change.

    The caller gives content keys (``site``: everything every page shows -
    options, templates, code, the pages listed in the navigation; ``stories`` and
    ``articles``: a key per story and article id that changes whenever its content
    does) and ``previous``, the key of each page now in the output folder. Render
    fills ``keys`` with every keyed page's key and leaves out of its result the
    pages in ``kept``, whose key equals the previous one (their file is up to
    date). A day's archive page is keyed by its stories' keys and its neighbour
    days. Listing pages (home, archive, feeds, search, sitemap, ``stories.json``)
    are never keyed: they are rendered from the whole digest on every build.
    """

    site: str
    stories: Mapping[str, str]
    articles: Mapping[str, str]
    previous: Mapping[str, str]
    keys: dict[str, str] = field(default_factory=dict)
    kept: set[str] = field(default_factory=set)
    json_texts: TextStore | None = None
    """Story JSON text by story page key, kept between builds (read and filled)."""
    search_words: TextStore | None = None
    """An article's search-index words by its content key, and a story's by its page's
    key (read and filled)."""
    compiled: Path | None = None
    """A folder for compiled templates kept between processes (Jinja2's bytecode cache)."""
    output: Path | None = None
    """The output folder as it is before this build writes it, if it exists: a story or
    article page made anew whose file there already holds the same bytes is left out
    of the result too, and listed in ``same``. It is compared where it is made (in a
    worker when there are many), so the write stage, which runs alone, need not read
    it again, and its bytes are not sent back from the worker."""
    same: set[str] = field(default_factory=set)


def _key(*parts: Any) -> str:
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


PARALLEL_PAGES = 400
"""Fewer pages than this are made in this process (starting workers costs more)."""

_PENDING: dict[int, list[Callable[[], bytes | None]]] = {}
"""Makers by render call (several builds may run at once in threads)."""


def _make_slice(task: tuple[int, int, int]) -> list[bytes | None]:
    call, start, stop = task
    return [make() for make in _PENDING[call][start:stop]]


def _unless_there(make: Callable[[], bytes], path: str) -> Callable[[], bytes | None]:
    """``make``, giving None instead of bytes that the file at ``path`` already holds."""
    from ..write import same_bytes

    def made() -> bytes | None:
        data = make()
        return None if same_bytes(path, data) else data

    return made


@contextlib.contextmanager
def _making(makers: list[Callable[[], bytes | None]],
            jobs: int) -> Iterator[Callable[[], list[bytes | None]]]:
    """Every maker's bytes, in order, from the function this yields; in ``jobs`` forked
    worker processes when there are many (the workers inherit the makers, so nothing
    but the bytes is sent). The workers start at once, so the caller can make other
    pages meanwhile and collect these after."""
    import gc
    import os

    if jobs <= 1 or len(makers) < PARALLEL_PAGES or os.name != "posix":
        yield lambda: [make() for make in makers]
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    step = -(-len(makers) // (jobs * 4))
    call = id(makers)
    tasks = [(call, i, min(i + step, len(makers))) for i in range(0, len(makers), step)]
    _PENDING[call] = makers  # set before the workers are forked: they inherit it
    # What exists now stays out of garbage collection while the workers run (a full
    # collection in a worker would touch, and so copy, every page it shares with this
    # process; see gc.freeze).
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=jobs,
                                 mp_context=multiprocessing.get_context("fork")) as pool:
            parts = pool.map(_make_slice, tasks)  # submitted now, gathered when called
            yield lambda: [data for part in parts for data in part]
    finally:
        gc.unfreeze()
        del _PENDING[call]


def render(digest: Digest, config: Config, reuse: Reuse | None = None,
           jobs: int = 1) -> dict[str, bytes]:
    """Every output file of the site, by path relative to the output folder.

    With ``reuse``, story and article pages whose inputs are unchanged are left
    out of the result and listed in ``reuse.kept``, and with ``reuse.output`` those
    made anew whose file there holds the same bytes, in ``reuse.same`` (see
    :class:`Reuse`). With
    ``jobs`` above 1, many story and article pages are made in that many forked
    worker processes (the same bytes)."""
    site = Site(config.title, config.description, config.base_url, config.base_path,
                html_lang(config.language))
    env = make_environment(config, reuse.compiled if reuse is not None else None)
    files: dict[str, bytes] = {}
    stories = latest_first(digest.stories)
    story_of = {a.id: s for s in digest.stories for a in s.articles}
    articles_by_id = {a.id: a for a in digest.articles}
    days = machine.archive_days(stories)
    # ``layout``: base.html, loaded once (the built-in story, article and day pages
    # extend it; a page extending "base.html" by name looks it up, with a stat of its
    # file, on every page).
    common: Mapping[str, Any] = {"site": site, "pages": digest.pages,
                                 "layout": env.get_template("base.html")}

    templates: dict[str, jinja2.Template] = {}

    def template_of(name: str) -> jinja2.Template:
        """The template, loaded once per render (``env.get_template`` checks the file's
        modification time on every call)."""
        if name not in templates:
            templates[name] = env.get_template(name)
        return templates[name]

    def page(template: str, out: str, **context: Any) -> None:
        html = template_of(template).render(**common, **context)
        files[out] = html.encode("utf-8")

    def fresh(out: str, *parts: Any) -> bool:
        """Whether ``out`` must be made (False: its file is kept from the last build)."""
        if reuse is None:
            return True
        key = _key(reuse.site, out, *parts)
        reuse.keys[out] = key
        if reuse.previous.get(out) == key:
            reuse.kept.add(out)
            return False
        return True

    def story_part(story: Story | None) -> Any:
        if story is None or reuse is None:
            return None
        return [story.id, story.slug, story.reasons, [a.id for a in story.articles],
                reuse.stories.get(story.id)]

    def kept(store: TextStore | None, key: str | None, make: Callable[[], str]) -> str:
        """``make()``, kept in ``store`` under ``key`` between builds (when both given)."""
        if key is None or store is None:
            return make()
        text = store.get(key)
        if text is None:
            text = store[key] = make()
        return text

    def page_key(story: Story) -> str | None:
        """The story page's key: its content, options and code."""
        return reuse.keys.get(story.page + "index.html") if reuse is not None else None

    def story_text(story: Story) -> str:
        return kept(reuse.json_texts if reuse is not None else None, page_key(story),
                    lambda: story_json_text(story, site))

    def search_words(article: Article) -> str:
        return kept(reuse.search_words if reuse is not None else None,
                    reuse.articles.get(article.id) if reuse is not None else None,
                    lambda: machine.article_keywords(article))

    def story_words(story: Story) -> str:
        key = page_key(story)
        return kept(reuse.search_words if reuse is not None else None,
                    None if key is None else "story " + key,
                    lambda: machine.story_keywords(story))

    def article_part(article: Article) -> Any:
        return [article.id, reuse.articles.get(article.id) if reuse is not None else None]

    page("index.html", "index.html", stories=stories[:HOME_STORIES],
         more=max(0, len(stories) - HOME_STORIES), labels_of=source_labels, page_path="")
    # Story and article pages (most of the site) are made after collecting them, in
    # worker processes when there are many; results go in this same order.
    pending: list[tuple[str, Callable[[], bytes]]] = []

    def later(template: str, out: str, context: Callable[[], dict[str, Any]]) -> None:
        # The template is loaded (compiled) here, once per render, not by each worker or
        # page; the page's own context is computed where the page is made (in a worker when
        # there are many).
        loaded = template_of(template)

        def make() -> bytes:
            return loaded.render(**common, **context()).encode("utf-8")

        pending.append((out, make))

    def story_context(story: Story) -> dict[str, Any]:
        return {"story": story, "view": story_view(story, site), "articles_by_id": articles_by_id,
                "page_path": story.page}

    def article_context(article: Article, home: Story | None) -> dict[str, Any]:
        labels = source_labels(home.articles) if home else {}
        return {"article": article, "story": home,
                "label": labels.get(article.id, outlet_name(article)), "page_path": article.page}

    for story in stories:
        part = story_part(story)
        if fresh(story.page + "index.html", part):
            later("story.html", story.page + "index.html",
                  functools.partial(story_context, story))
        if fresh(story.page + "feed.xml", part):
            pending.append((story.page + "feed.xml",
                            functools.partial(feeds.story_feed, story, site)))
    for article in digest.articles:
        home = story_of.get(article.id)
        if not fresh(article.page + "index.html", article_part(article), story_part(home)):
            continue
        later("article.html", article.page + "index.html",
              functools.partial(article_context, article, home))
    for out, _ in pending:
        files[out] = b""  # its place in the order; the bytes come below
    there = os.fspath(reuse.output) if reuse is not None and reuse.output is not None else None
    makers = [make if there is None else _unless_there(make, os.path.join(there, out))
              for out, make in pending]
    with _making(makers, jobs) as made:
        undated = [s for s in stories if not any(day_of(a.published) for a in s.articles)]
        page("archive.html", "archive/index.html", days=days, undated=undated,
             page_path="archive/")
        order = list(days)
        for i, (day, day_stories) in enumerate(days.items()):
            newer = order[i - 1] if i > 0 else None
            older = order[i + 1] if i + 1 < len(order) else None
            # A day page shows only its own stories (and links to its neighbours), so it
            # is kept when those are unchanged, like story and article pages.
            out = f"archive/{day}/index.html"
            if fresh(out, day, newer, older, [story_part(s) for s in day_stories]):
                page("day.html", out, day=day, stories=day_stories,
                     articles_on=machine.articles_on, page_path=f"archive/{day}/",
                     newer=newer, older=older)
        page("search.html", "search/index.html", page_path="search/")
        for p in digest.pages:
            page("page.html", f"{p.slug}/index.html", page=p, body=markdown_html(p.markdown),
                 page_path=f"{p.slug}/")
        page("404.html", "404.html", page_path="404.html")
        files["feed.xml"] = feeds.site_feed(stories, site)
        files["search/index.json"] = machine.search_index(digest, stories, site, search_words,
                                                          story_words)
        files["sitemap.xml"] = machine.sitemap(digest, stories, list(days), site)
        files["robots.txt"] = machine.robots(site)
        files["api/stories.json"] = stories_json(digest, site, story_text)
        files[".nojekyll"] = b""
        static = theme_dir() / "static"
        user_static = config.resolve(config.templates) / "static"
        for folder in (static, user_static):
            if folder.is_dir():
                for path in sorted(folder.rglob("*")):
                    if path.is_file():
                        files["static/" + path.relative_to(folder).as_posix()] = path.read_bytes()
        # The story and article pages, made by the workers meanwhile.
        for (out, _), data in zip(pending, made(), strict=True):
            if data is not None:
                files[out] = data
            else:  # its file in the output folder already holds these bytes
                del files[out]
                cast(Reuse, reuse).same.add(out)
    return files

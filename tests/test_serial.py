"""serial: dataclass trees to JSON values and back (the build cache's format)."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import serial
from generator.model import Fact, Problem, Quote, SummarySentence


def reference_dump(obj: Any) -> Any:
    """dump as it was first written (generic checks per value): the fast path must agree."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: reference_dump(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, list | tuple):
        return [reference_dump(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): reference_dump(v) for k, v in obj.items()}
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    raise serial.SerialError(f"cannot serialise {type(obj).__name__}")


class Kind(enum.StrEnum):
    A = "a"


class Level(enum.IntEnum):
    LOW = 1


class Names(list):  # type: ignore[type-arg]
    pass


@dataclasses.dataclass
class Holder:
    value: Any
    items: list[Any] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class SubHolder(Holder):
    extra: int = 0


_IDS = st.lists(st.text(max_size=4), max_size=3)
_LEAVES = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
           | st.just(Kind.A) | st.just(Level.LOW)
           | st.builds(Fact, st.text(), _IDS, st.dictionaries(st.text(max_size=3), st.integers()))
           | st.builds(Problem, st.text(), st.text())
           | st.builds(Quote, st.none() | st.text(), st.text(), _IDS, st.booleans()))
_TREES = st.recursive(
    _LEAVES,
    lambda inner: (st.lists(inner, max_size=4) | st.tuples(inner, inner)
                   | st.lists(inner, max_size=3).map(Names)
                   | st.dictionaries(st.text(max_size=4) | st.integers(), inner, max_size=3)
                   | st.builds(Holder, inner, st.lists(inner, max_size=3))
                   | st.builds(SubHolder, inner, st.lists(inner, max_size=2), st.integers())),
    max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(_TREES)
def test_dump_matches_the_generic_walk(tree: Any) -> None:
    got, want = serial.dump(tree), reference_dump(tree)
    assert got == want
    assert repr(got) == repr(want)  # the same types and key order, not only equal values


def test_dump_and_load_round_trip_a_summary_sentence() -> None:
    sentence = SummarySentence("A sentence.", ["a1", "b2"], {"a1": 0, "b2": 3})
    data = serial.dump(sentence)
    assert data == {"text": "A sentence.", "articles": ["a1", "b2"], "anchors": {"a1": 0, "b2": 3}}
    assert serial.load(SummarySentence, data) == sentence


def test_dump_refuses_what_json_cannot_hold() -> None:
    for bad in (object(), {1, 2}, Holder(object()), [b"bytes"], Holder):
        with pytest.raises(serial.SerialError):
            serial.dump(bad)

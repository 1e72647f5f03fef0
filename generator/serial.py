"""Dataclasses to JSON and back, for the build cache and worker processes.

``dump(obj)`` turns a dataclass (and the lists, dicts and scalars inside it) into
plain JSON values; ``load(cls, data)`` rebuilds it from its type hints and raises
:class:`SerialError` on anything that does not fit, so a corrupt cache entry is
detected rather than producing a wrong site.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any, Literal, TypeVar

T = TypeVar("T")


class SerialError(ValueError):
    """Data that does not match the dataclass it should rebuild."""


_SCALARS = frozenset({str, int, float, bool, type(None)})


def dump(obj: Any) -> Any:
    """Plain JSON values for a dataclass tree.

    Exact built-in types and dataclasses (their field names looked up once per class)
    take a fast path; anything else (subclasses of list, dict, str...) goes through
    :func:`_dump_any`, which the fast path gives the same result as."""
    kind: type = type(obj)
    if kind in _SCALARS:
        return obj
    if kind is list or kind is tuple:
        if all(type(v) is str for v in obj):
            return list(obj)
        return [dump(v) for v in obj]
    if kind is dict:
        if all(type(k) is str for k in obj) and all(type(v) in _SCALARS for v in obj.values()):
            return dict(obj)
        return {str(k): dump(v) for k, v in obj.items()}
    names = _field_names(kind)
    if names is not None:
        return {name: dump(getattr(obj, name)) for name in names}
    return _dump_any(obj)


@cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """The field names of a dataclass type, in order (None for any other type)."""
    if dataclasses.is_dataclass(kind):
        return tuple(f.name for f in dataclasses.fields(kind))
    return None


def _dump_any(obj: Any) -> Any:
    """:func:`dump` by generic checks (any dataclass, list, tuple, dict or scalar,
    subclasses included)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: dump(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, list | tuple):
        return [dump(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): dump(v) for k, v in obj.items()}
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    raise SerialError(f"cannot serialise {type(obj).__name__}")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def load(cls: type[T], data: Any) -> T:
    """Rebuild a ``cls`` instance from :func:`dump` output."""
    return typing.cast(T, _loader(typing.cast(Any, cls))(data))


Loader = Callable[[Any], Any]


@cache
def _loader(hint: Any) -> Loader:
    """A function that checks and rebuilds data of type ``hint`` (made once per type)."""
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass_loader(hint)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        optional = type(None) in args
        options = [_loader(arg) for arg in args if arg is not type(None) and _supported(arg)]

        def union(data: Any) -> Any:
            if data is None and optional:
                return None
            for option in options:
                try:
                    return option(data)
                except SerialError:
                    continue
            raise SerialError(f"no type of {hint} fits")

        return union
    if origin is list:
        (item_hint,) = typing.get_args(hint)
        item = _loader(item_hint)
        exact = _EXACT.get(item_hint)

        def as_list(data: Any) -> Any:
            if not isinstance(data, list):
                raise SerialError("expected a list")
            if exact is not None and all(type(v) is exact for v in data):
                return list(data)  # the common case, checked without a call per item
            return [item(v) for v in data]

        return as_list
    if origin is dict:
        _, value_hint = typing.get_args(hint)
        value = _loader(value_hint)
        exact_value = _EXACT.get(value_hint)

        def as_dict(data: Any) -> Any:
            if not isinstance(data, dict):
                raise SerialError("expected an object")
            if exact_value is not None and all(type(v) is exact_value
                                               for v in data.values()):
                return dict(data)
            return {k: value(v) for k, v in data.items()}

        return as_dict
    if origin is Literal:
        allowed = typing.get_args(hint)

        def literal(data: Any) -> Any:
            if data not in allowed:
                raise SerialError(f"{data!r} is not one of {allowed}")
            return data

        return literal
    if hint is Any:
        return _any
    if hint is float:
        return _float
    if hint is str:
        return _str
    if hint is int:
        return _int
    if hint is bool:
        return _bool
    if hint is type(None):
        return _none
    raise SerialError(f"unsupported type {hint}")


_EXACT: dict[Any, type] = {str: str, int: int}
"""Item types whose values are checked by exact type (what JSON gives for them; bool,
a subclass of int, is not int here, as in :func:`_int`)."""


def _dataclass_loader(cls: type) -> Loader:
    hints = _hints(cls)
    fields = [(f.name, f.default is dataclasses.MISSING
               and f.default_factory is dataclasses.MISSING) for f in dataclasses.fields(cls)]
    made: list[dict[str, Loader]] = []

    def build(data: Any) -> Any:
        if not isinstance(data, dict):
            raise SerialError(f"{cls.__name__}: expected an object")
        if not made:  # made on first use: a class may refer to itself
            made.append({name: _loader(hints[name]) for name, _ in fields})
        loaders = made[0]
        kwargs = {}
        for name, required in fields:
            if name in data:
                kwargs[name] = loaders[name](data[name])
            elif required:
                raise SerialError(f"{cls.__name__}: missing field {name}")
        return cls(**kwargs)

    return build


def _supported(hint: Any) -> bool:
    try:
        _loader(hint)
    except SerialError:
        return False
    return True


def _any(data: Any) -> Any:
    return data


def _float(data: Any) -> Any:
    if isinstance(data, bool) or not isinstance(data, int | float):
        raise SerialError("expected a number")
    return float(data)


def _str(data: Any) -> Any:
    if not isinstance(data, str):
        raise SerialError("expected str")
    return data


def _int(data: Any) -> Any:
    if not isinstance(data, int) or isinstance(data, bool):
        raise SerialError("expected int")
    return data


def _bool(data: Any) -> Any:
    if not isinstance(data, bool):
        raise SerialError("expected bool")
    return data


def _none(data: Any) -> Any:
    if data is not None:
        raise SerialError("expected null")
    return None

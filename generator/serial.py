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
from functools import cache
from typing import Any, Literal, TypeVar

T = TypeVar("T")


class SerialError(ValueError):
    """Data that does not match the dataclass it should rebuild."""


def dump(obj: Any) -> Any:
    """Plain JSON values for a dataclass tree."""
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
    return typing.cast(T, _load(cls, data))


def _load(hint: Any, data: Any) -> Any:
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        if not isinstance(data, dict):
            raise SerialError(f"{hint.__name__}: expected an object")
        hints = _hints(hint)
        kwargs = {}
        for f in dataclasses.fields(hint):
            if f.name in data:
                kwargs[f.name] = _load(hints[f.name], data[f.name])
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise SerialError(f"{hint.__name__}: missing field {f.name}")
        return hint(**kwargs)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        if data is None and type(None) in args:
            return None
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _load(arg, data)
            except SerialError:
                continue
        raise SerialError(f"no type of {hint} fits")
    if origin is list:
        if not isinstance(data, list):
            raise SerialError("expected a list")
        (item,) = typing.get_args(hint)
        return [_load(item, v) for v in data]
    if origin is dict:
        if not isinstance(data, dict):
            raise SerialError("expected an object")
        _, value = typing.get_args(hint)
        return {k: _load(value, v) for k, v in data.items()}
    if origin is Literal:
        if data not in typing.get_args(hint):
            raise SerialError(f"{data!r} is not one of {typing.get_args(hint)}")
        return data
    if hint is Any:
        return data
    if hint is float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise SerialError("expected a number")
        return float(data)
    if hint in (str, int, bool):
        if not isinstance(data, hint) or (hint is int and isinstance(data, bool)):
            raise SerialError(f"expected {hint.__name__}")
        return data
    if hint is type(None):
        if data is not None:
            raise SerialError("expected null")
        return None
    raise SerialError(f"unsupported type {hint}")

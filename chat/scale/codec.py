"""Events as JSON for the bus between processes.

Events and the rows they carry are frozen dataclasses of chat's own modules; each is
written with its class's module and name and rebuilt from them. Only dataclasses
defined under `chat.` are ever rebuilt: a message on the bus cannot make a process
construct anything else.

Every event is encoded once (by the process that commits it) and decoded once by each
other process, so both run per message: each class's field names are looked up once,
and decoding rebuilds objects inside json.loads (its object_hook) instead of walking
the parsed tree a second time.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from functools import cache

TYPE = "~"
SCALARS = frozenset({str, int, float, bool, type(None)})
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def encode(value) -> str:
    return _dumps(_plain(value))


def decode(text: str | bytes):
    return json.loads(text, object_hook=_built)


def _plain(value):
    cls = type(value)
    if cls in SCALARS:
        return value
    if cls is tuple or cls is list:
        return [_plain(item) for item in value]
    names = _fields(cls)
    if names is not None:
        out = {TYPE: names[0]}
        for name in names[1]:
            out[name] = _plain(getattr(value, name))
        return out
    if cls is frozenset or cls is set:
        return {TYPE: "frozenset", "items": [_plain(item) for item in value]}
    if cls is dict:
        return {TYPE: "dict", "items": [[_plain(k), _plain(v)] for k, v in value.items()]}
    return value  # json says no to anything else


@cache
def _fields(cls: type) -> tuple[str, tuple[str, ...]] | None:
    """A dataclass's name on the bus and its constructor's fields; None for others."""
    if not dataclasses.is_dataclass(cls):
        return None
    return (
        f"{cls.__module__}:{cls.__qualname__}",
        tuple(field.name for field in dataclasses.fields(cls) if field.init),
    )


def _built(data: dict):
    """Called by json.loads for every object, innermost first: lists in it are still
    lists (tuples on our side), objects in it are already rebuilt."""
    kind = data.pop(TYPE)
    if kind == "frozenset":
        return frozenset(_tupled(data["items"]))
    if kind == "dict":
        return {_tupled(k): _tupled(v) for k, v in data["items"]}
    for name, value in data.items():
        if value.__class__ is list:
            data[name] = _tupled(value)
    cls, names, plain = _dataclass(kind)
    if not plain or data.keys() != names:
        return cls(**data)  # the constructor checks the fields and runs what it must
    # A frozen dataclass's __init__ sets each field through object.__setattr__: for the
    # ~20 fields of a message that is most of the decoding, and nothing to check here.
    built = object.__new__(cls)
    built.__dict__.update(data)
    return built


def _tupled(value):
    if value.__class__ is list:
        return tuple(_tupled(item) for item in value)
    return value


@cache
def _dataclass(kind: str) -> tuple[type, frozenset, bool]:
    """The class, its fields, and whether filling its __dict__ builds the same object as
    its constructor (every field in the constructor, no __post_init__, no slots)."""
    module_name, _, qualname = kind.partition(":")
    if module_name != "chat" and not module_name.startswith("chat."):
        raise ValueError(f"not one of ours: {kind!r}")
    found = importlib.import_module(module_name)
    for part in qualname.split("."):
        found = getattr(found, part)
    if not (isinstance(found, type) and dataclasses.is_dataclass(found)):
        raise ValueError(f"not a dataclass: {kind!r}")
    fields = dataclasses.fields(found)
    plain = (
        all(field.init for field in fields)
        and not hasattr(found, "__post_init__")
        and not hasattr(found, "__slots__")
    )
    return found, frozenset(field.name for field in fields), plain

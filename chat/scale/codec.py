"""Events as JSON for the bus between processes.

Events and the rows they carry are frozen dataclasses of chat's own modules; each is
written with its class's module and name and rebuilt from them. Only dataclasses
defined under `chat.` are ever rebuilt: a message on the bus cannot make a process
construct anything else.
"""
from __future__ import annotations

import dataclasses
import importlib
import json
from functools import lru_cache

TYPE = "~"


def encode(value) -> str:
    return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"))


def decode(text: str):
    return _built(json.loads(text))


def _plain(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        out = {TYPE: f"{cls.__module__}:{cls.__qualname__}"}
        for field in dataclasses.fields(value):
            if field.init:
                out[field.name] = _plain(getattr(value, field.name))
        return out
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return {TYPE: "frozenset", "items": [_plain(item) for item in value]}
    if isinstance(value, dict):
        return {TYPE: "dict", "items": [[_plain(k), _plain(v)] for k, v in value.items()]}
    return value


def _built(data):
    if isinstance(data, list):
        return tuple(_built(item) for item in data)
    if not isinstance(data, dict):
        return data
    kind = data[TYPE]
    if kind == "frozenset":
        return frozenset(_built(item) for item in data["items"])
    if kind == "dict":
        return {_built(k): _built(v) for k, v in data["items"]}
    cls = _dataclass(kind)
    return cls(**{name: _built(value) for name, value in data.items() if name != TYPE})


@lru_cache(maxsize=None)
def _dataclass(kind: str) -> type:
    module_name, _, qualname = kind.partition(":")
    if module_name != "chat" and not module_name.startswith("chat."):
        raise ValueError(f"not one of ours: {kind!r}")
    found = importlib.import_module(module_name)
    for part in qualname.split("."):
        found = getattr(found, part)
    if not (isinstance(found, type) and dataclasses.is_dataclass(found)):
        raise ValueError(f"not a dataclass: {kind!r}")
    return found

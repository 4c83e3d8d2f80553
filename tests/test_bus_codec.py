"""Every event crosses the backplane's bus (chat/scale/codec.py) and is logged inside
its writing transaction: an event the codec cannot write would make that write fail
with Redis on. Each Event subclass is built from its type hints and must come back
equal (or at least encode the same)."""

from __future__ import annotations

import dataclasses
import json
import typing
from datetime import UTC, datetime, timezone

import pytest

import chat.events as events
from chat.live.activity import Activity
from chat.scale import codec


def sample(hint):
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return sample(next(arg for arg in args if arg is not type(None)))
    if origin is tuple:
        return (sample(args[0]),)
    if origin in (frozenset, set):
        return frozenset({sample(args[0])})
    if origin in (list,):
        return [sample(args[0])]
    if origin is dict:
        return {sample(args[0]): sample(args[1])}
    if origin is typing.Literal:
        return args[0]
    if dataclasses.is_dataclass(hint):
        return build(hint)
    # datetime and bytes are here so that the codec, not this builder, says no to them
    return {
        int: 7,
        str: "x",
        bool: True,
        float: 1.5,
        bytes: b"x",
        dict: {"k": "v"},
        datetime: datetime(2026, 1, 1, tzinfo=UTC),
    }[hint]


def build(cls):
    hints = typing.get_type_hints(cls)
    return cls(**{f.name: sample(hints[f.name]) for f in dataclasses.fields(cls) if f.init})


def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


@pytest.mark.parametrize("cls", [*subclasses(events.Event), Activity], ids=lambda c: c.__name__)
def test_every_event_crosses_the_bus(cls):
    event = build(cls)
    text = codec.encode(event)
    back = codec.decode(text)
    assert type(back) is cls
    assert codec.encode(back) == text


def test_a_message_comes_back_equal():
    event = build(events.MessagePosted)
    back = codec.decode(codec.encode(event))
    assert back == event and hash(back.message.sender) == hash(event.message.sender)
    assert isinstance(back.message.reactions, tuple)


def test_only_our_dataclasses_with_their_own_fields_are_built():
    """A bus message naming another class, or a field the class does not have, is
    refused (the constructor checks what the fast path would not)."""
    with pytest.raises(ValueError):
        codec.decode('{"~":"os:system","command":"true"}')
    with pytest.raises(ValueError):
        codec.decode('{"~":"chat.scale.codec:encode"}')
    with pytest.raises(TypeError):
        codec.decode('{"~":"chat.models:Reaction","emoji":"x","user_ids":[1],"extra":1}')


def test_a_row_keeps_its_bus_name_wherever_it_is_written():
    """Hosts of two versions share the bus during a rolling upgrade: a row is named
    chat.models:<Row> whichever module of chat/models/ defines it."""
    from chat.models import Reaction, Status

    assert json.loads(codec.encode(Reaction("x", (1,))))["~"] == "chat.models:Reaction"
    assert json.loads(codec.encode(Status(1, "x", "y", False, None, "t")))["~"] == (
        "chat.models:Status"
    )

"""The search box's little language, parsed into a SearchQuery. Pure: no database.

Words must all occur; `"an exact phrase"` must occur as written; `-word` must not occur.
Operators narrow the search: from:NAME in:ROOM in:thread:ID mentions:NAME (and @me)
has:link|file|image is:pinned|saved before:/after:/on:YYYY-MM-DD (UTC days; before and
after exclude the day itself, as in Slack and Mattermost). A value with spaces is quoted
(`in:"team ops"`); a full-width colon (from：wei) works as well as ":".

Something that looks like an operator but is not one (`colour:red`) is refused with a
400 naming it, so a typo never silently searches for text; quoting it searches the
text. Links (`https://…`), times (`10:30`) and a bare `word:` stay plain words.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from chat.errors import BadInput
from chat.models import SearchQuery

MAX_QUERY = 200
MAX_TERMS = 8
HAS = ("link", "file", "image")
FLAGS = ("pinned", "saved")
NAMED = ("from", "in", "mentions")
DATED = ("before", "after", "on")
OPERATORS = (*NAMED, "has", "is", *DATED)
SCHEMES = frozenset({"http", "https", "ftp", "mailto", "tel"})

TOKEN = re.compile(
    r"""(?P<neg>-)?"(?P<phrase>[^"]+)"                   # "exact phrase", -"not this"
      | (?P<op>[A-Za-z]+)[:：]"(?P<quoted>[^"]+)"          # op:"value with spaces"
      | (?P<word>\S+)""",
    re.VERBOSE,
)
OPERATOR = re.compile(r"(?P<op>[A-Za-z]+)[:：](?P<value>.*)", re.DOTALL)
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
THREAD = re.compile(r"thread[:：]([0-9]{1,18})", re.IGNORECASE)


def clean(query) -> str:
    if query is None:
        raise BadInput("search_query_empty")
    if not isinstance(query, str):
        raise BadInput("field_type", field="q", kind="a string")
    # Control characters (NUL among them, which FTS5 cannot parse) separate terms.
    text = "".join(" " if unicodedata.category(char) == "Cc" else char for char in query).strip()
    if not text:
        raise BadInput("search_query_empty")
    if len(text) > MAX_QUERY:
        raise BadInput("field_length", field="q", low=1, high=MAX_QUERY)
    return text


def parse_query(query) -> SearchQuery:
    parts: dict = {"terms": {}, "excluded": {}, "has": set(), "flags": set()}
    for token in TOKEN.finditer(clean(query)):
        if token["phrase"] is not None:
            add_term(parts, "excluded" if token["neg"] else "terms", token["phrase"].strip())
        elif token["op"] is not None:
            apply_operator(parts, token[0], token["op"].lower(), token["quoted"].strip())
        else:
            parse_word(parts, token["word"])
    return build(parts)


def parse_word(parts: dict, word: str) -> None:
    if word.lower() == "@me":
        return apply_operator(parts, word, "mentions", "me")
    if word.startswith("-") and len(word) > 1 and word[1].isalnum():
        return add_term(parts, "excluded", word[1:])
    found = OPERATOR.fullmatch(word)
    name = found and found["op"].lower()
    if found is None or name in SCHEMES or found["value"].startswith("//"):
        return add_term(parts, "terms", word)
    if not found["value"] and name not in OPERATORS:
        return add_term(parts, "terms", word)  # "todo:" is a word
    apply_operator(parts, word, name, found["value"])


def add_term(parts: dict, kind: str, term: str) -> None:
    if term:
        parts[kind].setdefault(term.casefold(), term)


def apply_operator(parts: dict, part: str, name: str, value: str) -> None:
    if name not in OPERATORS:
        raise BadInput("search_operator_unknown", part=part, known=known())
    if not value:
        raise BadInput("search_operator_empty", part=part)
    if name in ("has", "is"):
        choices = HAS if name == "has" else FLAGS
        if value.lower() not in choices:
            raise BadInput("search_operator_value", part=part, choices=", ".join(choices))
        parts["has" if name == "has" else "flags"].add(value.lower())
        return
    if name in DATED:
        value = parse_date(part, value)
    elif name == "in" and THREAD.fullmatch(value):
        name, value = "thread", int(THREAD.fullmatch(value)[1])
    else:
        value = value.lstrip("@#") or value
    if str(parts.get(name, value)).casefold() != str(value).casefold():
        raise BadInput("search_operator_repeated", part=part, operator=f"{name}:")
    parts[name] = value


def parse_date(part: str, value: str) -> datetime.date:
    if DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise BadInput("search_date_bad", part=part)


def build(parts: dict) -> SearchQuery:
    terms, excluded = tuple(parts["terms"].values()), tuple(parts["excluded"].values())
    if len(terms) + len(excluded) > MAX_TERMS:
        terms, excluded = terms[:MAX_TERMS], excluded[: max(0, MAX_TERMS - len(terms))]
    since, until = date_range(parts.get("before"), parts.get("after"), parts.get("on"))
    query = SearchQuery(
        terms=terms,
        excluded=excluded,
        sender=parts.get("from"),
        room=parts.get("in"),
        thread=parts.get("thread"),
        mentions=parts.get("mentions"),
        has=frozenset(parts["has"]),
        flags=frozenset(parts["flags"]),
        since=since,
        until=until,
    )
    if query == SearchQuery():
        raise BadInput("search_query_empty")
    return query


def date_range(before, after, on) -> tuple[str | None, str | None]:
    """The narrowest [since, until) the three operators allow, as ISO dates."""
    day = datetime.timedelta(days=1)
    starts = [d for d in (after and after + day, on) if d]
    ends = [d for d in (before, on and on + day) if d]
    since, until = max(starts, default=None), min(ends, default=None)
    return (since and since.isoformat(), until and until.isoformat())


def known() -> str:
    return " ".join(f"{name}:" for name in OPERATORS)

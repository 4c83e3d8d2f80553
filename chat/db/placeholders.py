"""SQLite's `?` and `:name` parameters as PostgreSQL's `$n`, translated once per SQL text.

The query code is written once with SQLite's placeholders; the PostgreSQL adapter asks
translate() for the `$n` text and the order of names, and keeps the answer per SQL
string (the statements are literals, so the cache holds a few hundred at most). String
literals, quoted names, comments and `::` casts are copied untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

ROW_WORDS = ("SELECT", "WITH", "VALUES", "SHOW", "EXPLAIN", "TABLE")


@dataclass(frozen=True)
class Translated:
    sql: str
    names: tuple[str, ...] | None  # :name order; None for positional `?`
    count: int

    @cached_property
    def returning(self) -> bool:
        """The statement says RETURNING (its first column is the cursor's lastrowid)."""
        return "RETURNING" in self.sql.upper()

    @cached_property
    def returns_rows(self) -> bool:
        """Read with fetch(); anything else runs through execute() for its row count."""
        return self.sql.lstrip(" \n\t(").upper().startswith(ROW_WORDS) or self.returning

    def arguments(self, params: Any) -> list:
        """The parameters as asyncpg's positional list ($1 is the first)."""
        if self.names is None:
            if params is None:
                params = ()
            if isinstance(params, dict):
                raise TypeError("positional SQL given named parameters")
            values = list(params)
            if len(values) != self.count:
                raise TypeError(f"SQL has {self.count} parameters, {len(values)} supplied")
            return values
        return [params[name] for name in self.names]


QUOTES = {"'": "'", '"': '"'}


def _name_end(sql: str, start: int) -> int:
    end = start
    while end < len(sql) and (sql[end].isalnum() or sql[end] == "_"):
        end += 1
    return end


@lru_cache(maxsize=2048)
def translate(sql: str) -> Translated:
    out: list[str] = []
    names: list[str] = []
    numbers: dict[str, int] = {}
    positional = 0
    i, n = 0, len(sql)
    while i < n:
        char = sql[i]
        if char in QUOTES:  # a literal or a quoted name, '' and "" escapes included
            end = sql.find(QUOTES[char], i + 1)
            while end != -1 and sql[end + 1 : end + 2] == char:
                end = sql.find(char, end + 2)
            end = n if end == -1 else end + 1
            out.append(sql[i:end])
            i = end
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end == -1 else end
            out.append(sql[i:end])
            i = end
        elif sql.startswith("::", i):
            out.append("::")
            i += 2
        elif char == "?":
            positional += 1
            out.append(f"${positional}")
            i += 1
        elif char == ":" and i + 1 < n and (sql[i + 1].isalpha() or sql[i + 1] == "_"):
            end = _name_end(sql, i + 1)
            name = sql[i + 1 : end]
            if name not in numbers:
                names.append(name)
                numbers[name] = len(names)
            out.append(f"${numbers[name]}")
            i = end
        else:
            out.append(char)
            i += 1
    if names and positional:
        raise ValueError("SQL mixes ? and :name parameters")
    if names:
        return Translated("".join(out), tuple(names), len(names))
    return Translated("".join(out), None, positional)

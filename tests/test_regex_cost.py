"""Every regular expression in chat/ costs linear time on the largest text a client can
send it, and a new one cannot arrive without showing that.

Each pattern (found by reading the source, so none is missed) is either bounded —
it matches at most a few dozen characters and has no nested or stacked repetition, so
one match attempt explores a small, fixed number of paths — or sees only our own text
(migration files, route templates), or has a probe below: the real function it sits in,
run on worst cases of the field's real cap, within a CPU-time bound. A quadratic
pattern fails by a wide margin: the old Slack link pattern spent 15 s on one 64 KiB
webhook body, the old access-log pattern 62 ms on one 8 KB path.
"""

from __future__ import annotations

import ast
import functools
import importlib
import pkgutil
import re
import re._constants as sre
import re._parser as sre_parser
import time
from pathlib import Path

import pytest

from chat.core.conversation.mentions import mentioned_names
from chat.core.conversation.previews import links_in
from chat.core.conversation.search import snippet, term_pattern
from chat.core.conversation.search_query import MAX_QUERY, parse_query
from chat.core.integrations.slack import render_payload
from chat.core.reach.email import check_address
from chat.errors import BadInput
from chat.models import MAX_CONTENT
from chat.ops.slack import plain_text
from chat.settings import Settings
from chat.web.accesslog import redact_path
from tests import test_portable_sql

ROOT = Path(__file__).resolve().parents[1]
RE_CALLS = {
    "compile",
    "match",
    "fullmatch",
    "search",
    "sub",
    "subn",
    "split",
    "findall",
    "finditer",
}
MAX_PATHS = 1000  # paths one match attempt of a bounded pattern may explore
HOOK_BODY = Settings().hook_max_bytes
REQUEST_LINE = 8190  # aiohttp's cap on the request line: the longest path
IMPORT_TEXT = 320 * 1024  # one message of a Slack export: 300 KB took 294 s before
CPU_BOUND = 0.5  # seconds of this thread's CPU per probe


@functools.cache
def regex_sites() -> dict[tuple[str, str], int]:
    """(module path, pattern source) → line, for every re.* call in chat/. A pattern
    built at run time is named by its function: "<built in term_pattern>"."""
    sites = {}
    for path in sorted((ROOT / "chat").rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        name = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "re":
                sites[(name, "<from re import>")] = node.lineno
            for child in ast.iter_child_nodes(node):
                child.parent = node  # type: ignore[attr-defined]
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "re"
                and node.func.attr in RE_CALLS
                and node.args
            ):
                continue
            pattern = node.args[0]
            if isinstance(pattern, ast.Constant) and isinstance(pattern.value, str):
                sites[(name, pattern.value)] = node.lineno
            elif (function := enclosing_function(node)) != "module":
                sites[(name, f"<built in {function}>")] = node.lineno
    # Built at import time ("|".join(KINDS)): read from the module itself.
    for module in map(importlib.import_module, module_names()):
        name = module.__name__.replace(".", "/") + ".py"
        for value in vars(module).values():
            if isinstance(value, re.Pattern) and (name, value.pattern) not in sites:
                sites[(name, value.pattern)] = 0
    return sites


def module_names() -> list[str]:
    return [
        f"chat.{info.name}"
        for info in pkgutil.walk_packages([str(ROOT / "chat")])
        if not info.ispkg
    ]


def enclosing_function(node) -> str:
    while node is not None and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        node = getattr(node, "parent", None)
    return node.name if node is not None else "module"


def paths_per_attempt(items, inside: bool = False) -> int | None:
    """An upper bound on the paths one match attempt explores, or None when it is not
    bounded: an unbounded or nested repetition, or an alternation inside one."""
    total = 1
    for op, av in items:
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, high, body = av
            if high == sre.MAXREPEAT or paths_per_attempt(body, True) != 1:
                return None
            if low != high:
                if inside:
                    return None
                total *= high - low + 1
        elif op is sre.BRANCH:
            alternatives = [paths_per_attempt(branch, inside) for branch in av[1]]
            if None in alternatives:
                return None
            total *= sum(alternatives)
        elif op in (sre.SUBPATTERN, sre.ASSERT, sre.ASSERT_NOT):
            inner = paths_per_attempt(av[-1], inside)
            if inner is None:
                return None
            total *= inner
    return total


def bounded(pattern: str) -> bool:
    paths = paths_per_attempt(sre_parser.parse(pattern))
    return paths is not None and paths <= MAX_PATHS


def cpu_time(run, *inputs) -> float:
    start = time.thread_time()  # this thread's CPU: other work on the machine does not count
    for text in inputs:
        run(text)
    return time.thread_time() - start


def hook_text(text: str) -> None:
    try:
        render_payload({"text": text})
    except BadInput:
        pass


def fill(unit: str, size: int, tail: str = "") -> str:
    return unit * ((size - len(tail)) // len(unit)) + tail


# --- the probes: the real functions on worst cases of their real caps --------------


def probe_webhook_links() -> float:
    """A webhook body is at most CHAT_HOOK_MAX_BYTES; its text is unescaped whole."""
    size = HOOK_BODY - 20
    return cpu_time(
        hook_text,
        *(
            fill(unit, size)
            for unit in (
                "<http:",
                "<http:x|",
                "<mailto:a|<",
                "<https:a|b",
                "<http:" + "a" * 40,
                "<http:a|" + "b" * 40,
                "<http: ",
                "&lt;http:",
            )
        ),
        "<http:" + "a" * size,
    )


def probe_webhook_mentions() -> float:
    size = HOOK_BODY - 20
    return cpu_time(
        hook_text,
        *(
            fill(unit, size)
            for unit in ("<@U1|", "<@U1", "<@" + "U" * 40, "<!here|", "<!here", "<!channel|x")
        ),
    )


def probe_slack_import_markup() -> float:
    return cpu_time(
        lambda text: plain_text(text, {}),
        *(
            fill(unit, IMPORT_TEXT)
            for unit in (
                "<@U1|",
                "<@U1",
                "<#C1|",
                "<!here",
                "<!channel|x",
                "<http:",
                "<http:x|",
                "<@" + "U" * 40,
            )
        ),
    )


def probe_access_log_paths() -> float:
    paths = [
        fill(unit, REQUEST_LINE)
        for unit in (
            "/" + "-" * 64,
            "-",
            "a.",
            "aaaaaaaa.",
            "aaaaaaaa.bbbbbbbb",
            "aaaaaaaa.bbbbbbbb.",
            "/hooks/",
            "/rooms/x/",
        )
    ]
    paths += [
        "/" + "-" * REQUEST_LINE,
        "/rooms/a/" + "-" * REQUEST_LINE,
        "/api/v1/chatroom/ws/1/" + "a." * REQUEST_LINE,
        "/hooks/" + "/" * REQUEST_LINE,
    ]
    return cpu_time(redact_path, *paths * 10)  # ten requests each: 62 ms apiece before


def probe_search_snippets() -> float:
    """A page of 100 hits of the longest message, under the longest query."""
    queries = [" ".join("a" * 23 + letter for letter in "bcdefghi"), "a" * 200, "ab " * 8]
    patterns = [term_pattern(list(parse_query(query).terms)) for query in queries]
    content = "a" * MAX_CONTENT
    return cpu_time(lambda pattern: [snippet(content, pattern) for _ in range(100)], *patterns)


def parse_or_refuse(query: str) -> None:
    try:
        parse_query(query)
    except BadInput:
        pass


def probe_search_operators() -> float:
    """The search box's little language on the longest queries (MAX_QUERY characters)."""
    units = ('"', '-"', 'a:"', "a:", "：", "-", "a:b", 'in:"x', "from:" + "a" * 40, "a")
    return cpu_time(parse_or_refuse, *(fill(unit, MAX_QUERY) for unit in units))


def probe_mentions() -> float:
    return cpu_time(
        mentioned_names,
        *(fill(unit, MAX_CONTENT) for unit in ("@", "@a", "a@", "@" + "a" * 40, "@.", "x@y@")),
    )


def probe_preview_links() -> float:
    """Links for previews are looked for in every stored message (MAX_CONTENT)."""
    units = ("http://", "https://a", "h", "http:/", "HTTP://" + "a" * 40, "http://a http")
    return cpu_time(lambda text: links_in(text, 3), *(fill(unit, MAX_CONTENT) for unit in units))


def check_or_refuse(address: str) -> None:
    try:
        check_address(address)
    except BadInput:
        pass


def probe_email_addresses() -> float:
    """A user's email address, at its cap of 254 characters (longer is refused first)."""
    units = ("a", "a@", "@", "a@b", "a@b.", ".", "a@b.c@", "a" * 40 + "@")
    return cpu_time(check_or_refuse, *(fill(unit, 254) for unit in units))


PROBES = {
    (
        "chat/core/integrations/slack.py",
        r"<((?:https?|mailto):[^|<>\s]+)(?:\|([^<>]*))?>",
    ): probe_webhook_links,
    (
        "chat/core/integrations/slack.py",
        r"<@([A-Za-z0-9]+)(?:\|([^<>]*))?>",
    ): probe_webhook_mentions,
    (
        "chat/core/integrations/slack.py",
        r"<!(here|channel|everyone)(?:\|[^<>]*)?>",
    ): probe_webhook_mentions,
    ("chat/ops/slack.py", r"<@([A-Z0-9]+)(?:\|[^<>]*)?>"): probe_slack_import_markup,
    ("chat/ops/slack.py", r"<#[A-Z0-9]+\|([^<>]*)>"): probe_slack_import_markup,
    ("chat/ops/slack.py", r"<!(here|channel|everyone)[^<>]*>"): probe_slack_import_markup,
    (
        "chat/web/accesslog.py",
        r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{8,}+\.[A-Za-z0-9_-]{8,}+\.[A-Za-z0-9_-]*+",
    ): probe_access_log_paths,
    ("chat/web/accesslog.py", r"^(/api/v1/chatroom/ws/[^/]+/).+"): probe_access_log_paths,
    ("chat/web/accesslog.py", r"^(/hooks/).+"): probe_access_log_paths,
    ("chat/web/accesslog.py", r"^(/rooms/[^/]+/).+?(/messages)?$"): probe_access_log_paths,
    ("chat/core/conversation/search.py", "<built in term_pattern>"): probe_search_snippets,
    (
        "chat/core/conversation/search_query.py",
        r"""(?P<neg>-)?"(?P<phrase>[^"]+)"                   # "exact phrase", -"not this"
      | (?P<op>[A-Za-z]+)[:：]"(?P<quoted>[^"]+)"          # op:"value with spaces"
      | (?P<word>\S+)""",
    ): probe_search_operators,
    (
        "chat/core/conversation/search_query.py",
        r"(?P<op>[A-Za-z]+)[:：](?P<value>.*)",
    ): probe_search_operators,
    ("chat/core/conversation/mentions.py", r"(?<![\w@])@([A-Za-z0-9_.\-]{1,32})"): probe_mentions,
    ("chat/core/conversation/previews.py", r"https?://[!-~]+"): probe_preview_links,
    (
        "chat/core/reach/email.py",
        r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+",
    ): probe_email_addresses,
}

# Patterns that never see a client's text, and what they do see.
OWN_TEXT = {
    ("chat/db/migrate.py", r"^(\d{4})_[a-z0-9_]+\.sql$"): "our migration file names",
    ("chat/web/openapi.py", r"\{(\w+)\}"): "our route templates",
    ("chat/web/openapi.py", r"[^a-z0-9]+"): "our route templates",
    (
        "chat/ops/backup.py",
        r"teahouse\.db|uploads(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}){1,3}",
    ): "member names of a backup the operator restores; linear anyway: '/' ends each repeat",
}


def test_every_regex_in_chat_is_bounded_probed_or_sees_only_our_own_text():
    unvetted = [
        f"{path}:{line}: {pattern!r}"
        for (path, pattern), line in regex_sites().items()
        if (path, pattern) not in PROBES
        and (path, pattern) not in OWN_TEXT
        and (pattern.startswith("<") or not bounded(pattern))
    ]
    assert not unvetted, (
        "a regular expression with no worst-case probe in "
        "tests/test_regex_cost.py (add one, or bound the pattern):\n" + "\n".join(unvetted)
    )


def test_every_probe_and_exemption_names_a_pattern_that_still_exists():
    sites = regex_sites()
    assert not [key for key in (*PROBES, *OWN_TEXT) if key not in sites]


def test_the_portable_sql_check_uses_only_bounded_patterns():
    """tests/test_portable_sql.py reads our own source, yet its patterns stay bounded, and
    its parenthesis scans are one pass: a long statement costs linear time."""
    patterns = [*test_portable_sql.FORMS.values()]
    patterns += [test_portable_sql.EXTREME.pattern, test_portable_sql.DERIVED.pattern]
    patterns.append(test_portable_sql.SQL_WORDS.pattern)
    assert [pattern for pattern in patterns if not bounded(pattern)] == []
    worst = [
        fill(unit, 256 * 1024)
        for unit in ("max(", "max(a,", "FROM (SELECT ", "FROM (SELECT 1) ", "(")
    ]
    assert cpu_time(test_portable_sql.two_argument_extremes, *worst) < CPU_BOUND
    assert cpu_time(test_portable_sql.unnamed_derived_table, *worst) < CPU_BOUND


def test_the_bound_tells_linear_patterns_from_quadratic_ones():
    assert bounded(r"[A-Za-z0-9_.\-]{1,32}") and bounded(r"^(https?://|/uploads/)")
    for pattern in (r"[.,]+$", r"<(http:[^>]+)>", r"(a|aa){0,9}", r"(a{0,5}){0,5}", r"\s*x?\s*$"):
        assert not bounded(pattern), pattern


@pytest.mark.parametrize(
    "probe", sorted(set(PROBES.values()), key=lambda p: p.__name__), ids=lambda p: p.__name__
)
def test_worst_case_input_of_the_largest_size_runs_in_linear_time(probe):
    spent = probe()
    assert spent < CPU_BOUND, f"{probe.__name__}: {spent:.2f} s of CPU"

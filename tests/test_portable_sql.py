"""The SQL of chat/ runs unchanged on SQLite and PostgreSQL (issue 32): a static check.

Reads every module of chat/ with ast and looks at the SQL it writes (string literals
and f-strings, docstrings aside) for forms only SQLite runs; docs/decisions.md
("Portable SQL") says which forms we write instead. The engine's own modules (the
connections, the writer, the migration runner) speak their engine and are not read.
A form that cannot be written portably yet is listed in KNOWN with why; an entry that
no longer matches anything fails too, so the list only shrinks.
"""

from __future__ import annotations

import ast
import re
import sqlite3
from pathlib import Path

import aiosqlite

from chat.db import audit, messages
from chat.db.migrate import migrate

ROOT = Path(__file__).resolve().parent.parent
# The engine's modules, and the commands that work on a SQLite file as a file.
ENGINE = {
    "chat/db/database.py",
    "chat/db/handles.py",
    "chat/db/sqlite_engine.py",
    "chat/db/postgres_engine.py",
    "chat/db/pg_connection.py",
    "chat/db/placeholders.py",
    "chat/db/sqlite_search.py",  # each engine's search SQL (chat/db/search.py's SearchSql)
    "chat/db/postgres_sources.py",
    "chat/db/migrate.py",
    "chat/ops/backup.py",
    "chat/ops/vacuum.py",
    "chat/ops/move_plan.py",  # migrate-to-postgres reads the SQLite file as a file
    "chat/ops/move_check.py",
    "chat/ops/postgres_move.py",
}
# Where a module may import the SQLite driver besides ENGINE: the storage package.
DRIVER_HOMES = ("chat/db/",)
DRIVERS = {"sqlite3", "aiosqlite"}

# SQL is read with its whitespace collapsed to single spaces, so no pattern repeats.
FORMS = {
    "INSERT OR": r"\bINSERT OR (?:IGNORE|REPLACE|ABORT|FAIL|ROLLBACK)\b",
    "REPLACE INTO": r"^REPLACE INTO\b",
    "IFNULL": r"\bIFNULL ?\(",
    "group_concat": r"\bGROUP_CONCAT ?\(",
    "julianday": r"\bJULIANDAY ?\(",
    "strftime": r"\bSTRFTIME ?\(",
    "datetime('now')": r"\b(?:DATE|TIME|DATETIME|UNIXEPOCH) ?\( ?'now'",
    "GLOB": r"\bGLOB\b",
    "LIMIT -1": r"\bLIMIT -1\b",
    "rowid": r"\b(?:_?rowid_?|oid|last_insert_rowid)\b",
    "PRAGMA": r"\bPRAGMA\b",
    "COLLATE NOCASE": r"\bCOLLATE (?:NOCASE|RTRIM)\b",
    "INDEXED BY": r"\b(?:INDEXED BY|NOT INDEXED)\b",
    "json1": r"\bJSON_(?:EXTRACT|EACH|TREE|GROUP_ARRAY|GROUP_OBJECT|ARRAY_LENGTH|TYPE)\b",
    "sqlite_ tables": r"\bsqlite_(?:master|schema|sequence|stat1)\b",
    "iif/typeof/instr/printf": r"\b(?:IIF|TYPEOF|INSTR|PRINTF|UNLIKELY|LIKELIHOOD) ?\(",
    "int shift past 31 bits": r"\b1 ?<< ?(?:3[2-9]|[4-6][0-9])\b",
    # The 0/1 flags stay INTEGER on PostgreSQL, which has no integer truth: compare them.
    "NOT on an integer flag": r"\bNOT [a-z_.]{0,40}\bis_",
    "parameter as a condition": r"\bWHEN :[a-z_]{1,30} THEN\b",
    "SUM of a comparison": r"\bSUM ?\( ?[a-z_.]{1,40} ?[<>=!]",
}
PATTERNS = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in FORMS.items()}
EXTREME = re.compile(r"\b(?:max|min) ?\(", re.IGNORECASE)
DERIVED = re.compile(r"\b(?:FROM|JOIN) \((?= ?(?:SELECT\b|\{))", re.IGNORECASE)
SQL_WORDS = re.compile(r"\b(?:SELECT|INSERT|UPDATE|DELETE|WHERE|FROM|JOIN|VALUES|PRAGMA|CASE)\b")
FOLLOWS_DERIVED = {"", "WHERE", "ORDER", "GROUP", "LIMIT", "UNION", "JOIN", "LEFT", "ON"}

# (module, form) -> why it stays for now. Each entry must still be found.
KNOWN = {
    ("chat/db/search.py", "rowid"): "FTS5 search: PostgreSQL search is its own (pgsearch)",
    ("chat/db/search.py", "json1"): "FTS5 search's id chunks (pgsearch)",
    ("chat/db/search_index.py", "rowid"): "FTS5 index upkeep (pgsearch)",
    ("chat/db/retention.py", "sqlite_ tables"): "foreign keys read from the catalog: an "
    "engine hook (PostgreSQL: information_schema), pgengine",
    ("chat/db/retention.py", "PRAGMA"): "foreign_key_list, as above",
    ("chat/core/site/audit.py", "import"): "the command line's audit row written with "
    "plain sqlite3; errors and connections are pgengine's",
    ("chat/core/people/sessions.py", "import"): "sqlite3.Row annotations: the engine-neutral "
    "row type is pgengine's",
    ("chat/ops/importing.py", "import"): "import writes a new SQLite file directly; on "
    "PostgreSQL a site arrives by migrate-to-postgres",
    ("chat/ops/importing.py", "PRAGMA"): "its new SQLite file's foreign keys, as above",
    ("chat/ops/slack.py", "import"): "as importing.py",
    ("chat/db/search_sources.py", "rowid"): "SQLite search's FTS5 spans; PostgreSQL search "
    "is chat/db/postgres_search.py",
    ("chat/db/search_sources.py", "INDEXED BY"): "SQLite search's narrow sources: the "
    "planner cannot see which source the search plan chose to be narrow",
    ("chat/db/search_index.py", "scalar max/min"): "SQLite search's day spans, kept by the "
    "FTS5 indexer (PostgreSQL search keeps its own index)",
}


def modules(root: Path) -> list[tuple[str, ast.Module]]:
    found = []
    for path in sorted((root / "chat").rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if name not in ENGINE:
            found.append((name, ast.parse(path.read_text(encoding="utf-8"), name)))
    return found


def docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def sql_texts(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, text) of each string literal that reads as SQL; an f-string's holes
    become {}, and its literal parts are not read again on their own."""
    skip = docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip.update(id(part) for part in node.values)
    texts = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.JoinedStr):
            text = "".join(p.value if isinstance(p, ast.Constant) else "{}" for p in node.values)
        else:
            continue
        if SQL_WORDS.search(text):
            texts.append((node.lineno, " ".join(text.split())))
    return texts


def pairs(text: str) -> dict[int, int]:
    """Each opening parenthesis's index -> its closing one's (one pass)."""
    found, stack = {}, []
    for index, char in enumerate(text):
        if char == "(":
            stack.append(index)
        elif char == ")" and stack:
            found[stack.pop()] = index
    return found


def two_argument_extremes(text: str) -> bool:
    """max(a, b) / min(a, b): scalar in SQLite, aggregates only in PostgreSQL."""
    calls = {match.end() - 1 for match in EXTREME.finditer(text)}
    stack: list[bool] = []
    for index, char in enumerate(text):
        if char == "(":
            stack.append(index in calls)
        elif char == ")" and stack:
            stack.pop()
        elif char == "," and stack and stack[-1]:
            return True
    return False


def unnamed_derived_table(text: str) -> bool:
    """FROM (SELECT …) with no name after it: PostgreSQL 15 requires one."""
    closing = pairs(text)
    for match in DERIVED.finditer(text):
        end = closing.get(match.end() - 1, len(text)) + 1
        after = text[end : end + 16].lstrip(" ")  # the next word (a bounded look)
        word = after.split(" ", 1)[0].upper()
        if word.startswith(")") or word in FOLLOWS_DERIVED:
            return True
    return False


def findings(root: Path = ROOT) -> dict[tuple[str, str], list[int]]:
    """(module, form) -> lines where a SQLite-only form is written."""
    found: dict[tuple[str, str], list[int]] = {}
    for name, tree in modules(root):
        for line, text in sql_texts(tree):
            forms = [form for form, pattern in PATTERNS.items() if pattern.search(text)]
            if two_argument_extremes(text):
                forms.append("scalar max/min")
            if unnamed_derived_table(text):
                forms.append("unnamed derived table")
            for form in forms:
                found.setdefault((name, form), []).append(line)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "lastrowid":
                found.setdefault((name, "lastrowid"), []).append(node.lineno)
            imported = []
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported = [node.module]
            if set(imported) & DRIVERS and not name.startswith(DRIVER_HOMES):
                found.setdefault((name, "import"), []).append(node.lineno)
    return found


def test_chat_writes_no_sqlite_only_sql_outside_the_engine():
    new = {key: lines for key, lines in findings().items() if key not in KNOWN}
    assert not new, "SQLite-only forms (see docs/decisions.md, Portable SQL): " + str(new)


def test_every_known_exception_is_still_there():
    assert not set(KNOWN) - set(findings())


def test_the_checks_see_each_form_they_name():
    samples = {
        "INSERT OR": "INSERT OR IGNORE INTO pins VALUES (?)",
        "IFNULL": "SELECT ifnull(a, 0) FROM t",
        "group_concat": "SELECT group_concat(name) FROM t",
        "julianday": "SELECT julianday(at) FROM t",
        "strftime": "SELECT strftime('%s', at) FROM t",
        "datetime('now')": "SELECT 1 FROM t WHERE at < datetime('now')",
        "GLOB": "SELECT 1 FROM t WHERE name GLOB 'a*'",
        "LIMIT -1": "SELECT 1 FROM t LIMIT -1 OFFSET 5",
        "rowid": "SELECT rowid FROM t",
        "PRAGMA": "PRAGMA user_version",
        "COLLATE NOCASE": "SELECT 1 FROM t WHERE a = ? COLLATE NOCASE",
        "INDEXED BY": "SELECT 1 FROM t INDEXED BY t_a WHERE a = 1",
        "json1": "SELECT json_extract(detail, '$.a') FROM t",
        "int shift past 31 bits": "SELECT 1 FROM t WHERE id < 1 << 62",
    }
    for form, text in samples.items():
        assert PATTERNS[form].search(text), form
    assert two_argument_extremes("UPDATE t SET a = max(a, ?) WHERE id = ?")
    assert not two_argument_extremes("SELECT MAX(id), COALESCE(MIN(id), 0) FROM t")
    assert unnamed_derived_table("SELECT COUNT(*) FROM (SELECT 1 FROM t LIMIT 5)")
    assert unnamed_derived_table("SELECT 1 FROM (SELECT a FROM t) WHERE a = 1")
    assert not unnamed_derived_table("SELECT 1 FROM (SELECT a FROM t) x WHERE a = 1")
    assert not unnamed_derived_table("SELECT * FROM (SELECT (1) AS a) listed ORDER BY a")
    assert unnamed_derived_table("SELECT 1 FROM ({}) WHERE user_id = :other")
    assert PATTERNS["NOT on an integer flag"].search("CASE WHEN NOT users.is_bot THEN 1 END")
    assert PATTERNS["parameter as a condition"].search("CASE WHEN :joined THEN a END")
    assert PATTERNS["SUM of a comparison"].search("SELECT SUM(t.a > f.b) FROM t")


async def test_sqlite_keeps_its_plans_without_hints_and_nocase(tmp_path):
    """INDEXED BY and COLLATE NOCASE went; SQLite still walks the same indexes (the
    history page skips in the index only; the audit name filters use 0026's indexes)."""
    conn = await aiosqlite.connect(tmp_path / "plans.db", isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        await migrate(conn)
        statements: list[str] = []
        await conn.set_trace_callback(statements.append)
        for main_timeline in (False, True):
            await messages.messages_page(conn, 1, 3, 50, main_timeline)
            await messages.count_in_room(conn, 1, main_timeline)
        await messages.rooms_with_messages_since(conn, "2026-01-01T00:00:00Z")
        await audit.page(conn, audit.AuditFilter(actor="Alice"), None, 50)
        await audit.page(conn, audit.AuditFilter(target="Bob"), None, 50)
        await conn.set_trace_callback(None)
        plans = []
        for sql in statements:
            rows = await conn.execute_fetchall("EXPLAIN QUERY PLAN " + sql)
            plans.append(" | ".join(row["detail"] for row in rows))
    finally:
        await conn.close()
    # A room's count walks either index that starts with room_id (0027 added the
    # narrower search's messages_room_sender; both hold every row of the room).
    indexes = ["messages_room", "messages_room_sender", "messages_timeline", "messages_timeline"]
    indexes += ["messages_created", "audit_actor", "audit_target"]
    assert len(plans) == len(indexes), statements
    for plan, index in zip(plans, indexes, strict=True):
        assert f"INDEX {index} " in plan and "SCAN" not in plan, (index, plan)

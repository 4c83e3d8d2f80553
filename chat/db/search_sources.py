"""SQL for the candidate sources of a filtered search (the choice: search_plan.py).

Every source reads ids newest first below `:before` and not below `:low` (the id range
the dates allow, message_days of migration 0027), as bare ids from one index: the text
index's matches, a person's saved messages, the pinned ones, the images, the messages
with a file, one room and one person
((room_id, sender_id, id)), one room ((room_id, id)), one person ((sender_id, id)), or
every message. Counting a source is the same walk, capped: index-only, no row read.
Words a source other than the text index cannot see are checked on each chunk by the
text index restricted to the chunk's id span (a range read of the index is cheap, an
FTS5 NOT is not: it reads the excluded word's every match whatever the range).
"""

from __future__ import annotations

WHERE = "id < :before AND id >= :low"
SOURCES = {
    "saved": """SELECT message_id AS id FROM saved_messages
                WHERE user_id = :user AND message_id < :before AND message_id >= :low
                ORDER BY message_id DESC LIMIT :size""",
    "pinned": """SELECT message_id AS id FROM pins
                 WHERE message_id < :before AND message_id >= :low
                 ORDER BY message_id DESC LIMIT :size""",
    "image": f"""SELECT id FROM messages INDEXED BY messages_images
                 WHERE message_type = 'image' AND {WHERE} ORDER BY id DESC LIMIT :size""",
    "file": f"""SELECT id FROM messages INDEXED BY messages_files
                WHERE file_url IS NOT NULL AND {WHERE} ORDER BY id DESC LIMIT :size""",
    "room_sender": f"""SELECT id FROM messages INDEXED BY messages_room_sender
                       WHERE room_id = :room AND sender_id = :sender AND {WHERE}
                       ORDER BY id DESC LIMIT :size""",
    "room": f"""SELECT id FROM messages INDEXED BY messages_room
                WHERE room_id = :room AND {WHERE} ORDER BY id DESC LIMIT :size""",
    "sender": f"""SELECT id FROM messages INDEXED BY messages_sender
                  WHERE sender_id = :sender AND {WHERE} ORDER BY id DESC LIMIT :size""",
    "recent": f"SELECT id FROM messages WHERE {WHERE} ORDER BY id DESC LIMIT :size",
}
# The text index is only ever read in rowid order: FTS5 reading newest first costs
# ~20 ms at a million messages before the first row, whatever the LIMIT (it reverses
# each trigram's whole list), in order a few hundred microseconds.
IN_SPAN = """SELECT rowid FROM messages_fts
             WHERE messages_fts MATCH :match AND rowid >= :low AND rowid < :before"""
SOURCES["text"] = f"{IN_SPAN} LIMIT :size"  # for counting only: the oldest first
FIRST_SPAN = 8  # ids per wanted match in the text index's first span


async def source_ids(conn, sql: str, keys: dict, span, before: int, size: int, in_span=None):
    """Up to `size` candidate ids of a source (its SQL, reading newest first below
    :before, not below :low, at most :size) in `span` below `before`, newest first; a
    text index is read by spans of its `in_span` SQL instead (text_ids)."""
    found: list[int] = []
    for low, top in span.ranges(before):
        bounds = {**keys, "before": top, "low": low, "size": size - len(found)}
        if in_span is not None:
            found += await text_ids(conn, in_span, bounds)
        else:
            found += [row[0] for row in await conn.execute_fetchall(sql, bounds)]
        if len(found) >= size:
            break
    return found


async def text_ids(conn, in_span: str, bounds: dict) -> list[int]:
    """The newest :size matches in [:low, :before) of a text index read in id order
    (`in_span`: every match in [:low, :before), ascending): spans below :before, until
    they hold :size; each next span as wide as the density seen so far says the rest
    needs (twice the last when it held nothing)."""
    found: list[int] = []
    low, before, size = bounds["low"], bounds["before"], bounds["size"]
    span, top = FIRST_SPAN * size, before
    while before > low and len(found) < size:
        bottom = max(low, before - span)
        rows = await conn.execute_fetchall(in_span, {**bounds, "low": bottom, "before": before})
        found += reversed([row[0] for row in rows])
        before = bottom
        if found:
            span = (size - len(found)) * (top - before) * 5 // (4 * len(found)) + 1
        else:
            span *= 2
    return found[:size]


async def count(conn, sql: str, keys: dict, span, before: int, cap: int) -> int:
    """How many candidates a source (its SQL) has in `span` below `before`, counted up
    to `cap`."""
    total = 0
    for low, top in span.ranges(before):
        bounds = {**keys, "before": top, "low": low, "size": cap - total}
        rows = await conn.execute_fetchall(f"SELECT count(*) FROM ({sql}) AS candidates", bounds)
        total += rows[0][0]
        if total >= cap:
            break
    return total


async def words_kept(conn, chunk: list[int], match: str | None, excluded: list[str]):
    """Of a chunk (newest first), the ids whose text matches `match` (an FTS5 query;
    None: no check) and none of `excluded` (each one quoted FTS5 string)."""
    span = {"low": chunk[-1], "before": chunk[0] + 1}
    if match is not None:
        found = {row[0] for row in await conn.execute_fetchall(IN_SPAN, {**span, "match": match})}
        chunk = [i for i in chunk if i in found]
    for term in excluded:
        if not chunk:
            break
        gone = {row[0] for row in await conn.execute_fetchall(IN_SPAN, {**span, "match": term})}
        chunk = [i for i in chunk if i not in gone]
    return chunk


async def id_range(conn, since: str | None, until: str | None) -> dict:
    """low and high: [low, high) holds the ids of the indexed messages dated in
    [since, until), from the days' id spans; empty when no such day exists."""
    rows = await conn.execute_fetchall(
        """SELECT (SELECT MIN(first_id) FROM message_days WHERE day >= :since),
                  (SELECT MAX(last_id) FROM message_days WHERE day < :until)""",
        {"since": since or "", "until": until or "9999-99-99"},
    )
    low, high = rows[0]
    if low is None or high is None:
        return {"low": 0, "high": 0}
    return {"low": low, "high": high + 1}


async def indexed_upto(conn) -> int:
    """The search index's high mark: ids above it are read directly (unindexed_ids)."""
    rows = await conn.execute_fetchall("SELECT upto FROM search_indexed")
    return rows[0][0]

"""The search box's little language, parsed without a database: every operator alone,
combined, in English and Chinese, and each refusal naming the part it refuses."""

import pytest

from chat.core.conversation.search_query import parse_query
from chat.errors import BadInput
from chat.i18n import translate
from chat.models import SearchQuery


@pytest.mark.parametrize(
    "text, expected",
    [
        ("deploy", SearchQuery(terms=("deploy",))),
        ("部署 会议", SearchQuery(terms=("部署", "会议"))),
        ("from:wei", SearchQuery(sender="wei")),
        ("from:@wei", SearchQuery(sender="wei")),
        ("from:魏", SearchQuery(sender="魏")),
        ("from：wei", SearchQuery(sender="wei")),
        ("FROM:wei", SearchQuery(sender="wei")),
        ("in:ops", SearchQuery(room="ops")),
        ("in:#ops", SearchQuery(room="ops")),
        ('in:"team ops"', SearchQuery(room="team ops")),
        ("in:运维", SearchQuery(room="运维")),
        ("in:thread:42", SearchQuery(thread=42)),
        ("mentions:bob", SearchQuery(mentions="bob")),
        ("mentions:@bob", SearchQuery(mentions="bob")),
        ("@me", SearchQuery(mentions="me")),
        ("has:link", SearchQuery(has=frozenset({"link"}))),
        ("has:FILE", SearchQuery(has=frozenset({"file"}))),
        ("has:image has:link", SearchQuery(has=frozenset({"image", "link"}))),
        ("is:pinned", SearchQuery(flags=frozenset({"pinned"}))),
        ("is:saved", SearchQuery(flags=frozenset({"saved"}))),
        ("before:2026-11-01", SearchQuery(until="2026-11-01")),
        ("after:2026-11-01", SearchQuery(since="2026-11-02")),
        ("on:2026-11-01", SearchQuery(since="2026-11-01", until="2026-11-02")),
        ("after:2026-12-31", SearchQuery(since="2027-01-01")),
        ("after:2026-11-01 before:2026-11-05", SearchQuery(since="2026-11-02", until="2026-11-05")),
        ("on:2026-11-03 after:2026-11-01", SearchQuery(since="2026-11-03", until="2026-11-04")),
        ('"exact phrase"', SearchQuery(terms=("exact phrase",))),
        ('"明天 的会议"', SearchQuery(terms=("明天 的会议",))),
        ("-word", SearchQuery(excluded=("word",))),
        ("-部署", SearchQuery(excluded=("部署",))),
        ('-"not this"', SearchQuery(excluded=("not this",))),
        ("Deploy deploy DEPLOY", SearchQuery(terms=("Deploy",))),
    ],
)
def test_each_operator_alone(text, expected):
    assert parse_query(text) == expected


def test_operators_combine_freely_with_words_in_any_order():
    assert parse_query(
        'from:wei in:ops has:file after:2026-11-01 部署 -测试 "release notes" @me is:pinned'
    ) == SearchQuery(
        terms=("部署", "release notes"),
        excluded=("测试",),
        sender="wei",
        room="ops",
        mentions="me",
        has=frozenset({"file"}),
        flags=frozenset({"pinned"}),
        since="2026-11-02",
    )
    assert parse_query("会议 from:李雷 on:2026-02-03") == SearchQuery(
        terms=("会议",), sender="李雷", since="2026-02-03", until="2026-02-04"
    )


@pytest.mark.parametrize(
    "text",
    ["https://example.com/a", "http://x", "mailto:a@b.c", "10:30", "todo:", "12:30:00", "--", "-"],
)
def test_links_times_and_bare_colons_stay_words(text):
    assert parse_query(text) == SearchQuery(terms=(text,))


@pytest.mark.parametrize("text", ['"', '""', 'a"b', '"unclosed phrase'])
def test_a_quote_without_a_partner_is_plain_text(text):
    assert parse_query(text).terms == tuple(text.split())


def test_quoting_an_operator_searches_its_text():
    assert parse_query('"colour:red"') == SearchQuery(terms=("colour:red",))
    assert parse_query('"from:wei"') == SearchQuery(terms=("from:wei",))


@pytest.mark.parametrize(
    "text, key, part",
    [
        ("colour:red", "search_operator_unknown", "colour:red"),
        ('deploy say:"hi there"', "search_operator_unknown", 'say:"hi there"'),
        ("颜色 colour:红", "search_operator_unknown", "colour:红"),
        ("has:pdf", "search_operator_value", "has:pdf"),
        ("is:starred", "search_operator_value", "is:starred"),
        ("from:", "search_operator_empty", "from:"),
        ("has:", "search_operator_empty", "has:"),
        ("after:2026-13-01", "search_date_bad", "after:2026-13-01"),
        ("before:2026-02-30", "search_date_bad", "before:2026-02-30"),
        ("on:yesterday", "search_date_bad", "on:yesterday"),
        ("on:2026-1-1", "search_date_bad", "on:2026-1-1"),
        ("on:２０２６-01-01", "search_date_bad", "on:２０２６-01-01"),
        ("from:a from:b", "search_operator_repeated", "from:b"),
        ("in:a in:b", "search_operator_repeated", "in:b"),
    ],
)
def test_refusals_name_the_part(text, key, part):
    with pytest.raises(BadInput) as refused:
        parse_query(text)
    assert refused.value.key == key and refused.value.params["part"] == part
    for language in ("en", "zh"):
        assert part in translate(key, language, **refused.value.params)


def test_the_same_operator_twice_with_one_value_is_fine():
    assert parse_query("from:wei from:WEI from:wei") == SearchQuery(sender="wei")


@pytest.mark.parametrize("text", [None, "", "   ", "\x00", 7, ["from:wei"]])
def test_empty_or_wrong_queries_are_refused(text):
    with pytest.raises(BadInput):
        parse_query(text)


def test_long_queries_are_refused_and_terms_are_capped():
    with pytest.raises(BadInput):
        parse_query("a" * 201)
    assert len(parse_query(" ".join(f"w{n}" for n in range(20))).terms) == 8
    capped = parse_query(" ".join(f"w{n} -x{n}" for n in range(6)))
    assert len(capped.terms) + len(capped.excluded) == 8

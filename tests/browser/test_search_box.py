"""The search box (issue 29): suggestions as one types (operators, rooms, people), the
active filters as removable chips, in English and 中文; and no call button on a server
without a meeting server."""

from __future__ import annotations

import pytest

from .conftest import register
from .test_web_client import open_room

pytestmark = pytest.mark.browser


def post(server, account, room, text: str) -> None:
    status, body = server.api(
        "POST", f"/api/chat/rooms/{room['id']}/messages/", {"content": text}, account.token
    )
    assert status == 201, body


def suggestions(page) -> list[str]:
    page.locator("#search-suggestions:not([hidden]) .search-suggestion").first.wait_for()
    return page.locator("#search-suggestions .search-suggestion code").all_inner_texts()


def results(page) -> list[str]:
    # The "…" placeholder (role=status) is there while the search runs: wait past it.
    answered = "#search-results .search-result, #search-results .muted:not([role=status])"
    page.locator(answered).first.wait_for()
    return page.locator("#search-results .snippet").all_inner_texts()


def test_suggestions_build_a_query_and_chips_show_its_filters(server, open_page):
    wei = register(server, "wei", "Wei Zhang")
    mia = register(server, "mia")
    ops = open_room(server, wei, "ops", mia)
    other = open_room(server, wei, "random", mia)
    post(server, wei, ops, "部署 done by wei in ops")
    post(server, mia, ops, "部署 done by mia in ops")
    post(server, wei, other, "部署 done by wei elsewhere")
    page = open_page(mia)
    box = page.locator("#search-input")
    box.click()
    box.type("fr")
    assert suggestions(page) == ["from:"]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert box.input_value() == "from:"
    assert "from:me" in suggestions(page)  # an operator waiting for a value asks again
    box.type("we")
    page.locator("#search-suggestions code", has_text="from:wei").wait_for()
    page.locator("#search-suggestions .search-suggestion", has_text="from:wei").click()
    assert box.input_value() == "from:wei "
    box.type("in:op")
    page.locator("#search-suggestions code", has_text="in:ops").click()
    assert box.input_value() == "from:wei in:ops "
    box.type("部署")
    page.keyboard.press("Enter")
    assert results(page) == ["部署 done by wei in ops"]
    chips = page.locator("#search-chips .search-chip > span")
    assert chips.all_inner_texts() == ["from:wei", "in:ops"]
    page.get_by_role("button", name="Remove filter in:ops").click()
    assert box.input_value() == "from:wei 部署"
    page.locator("#search-results .snippet", has_text="elsewhere").wait_for()
    assert sorted(results(page)) == ["部署 done by wei elsewhere", "部署 done by wei in ops"]
    assert chips.count() == 1 and not page.errors


def test_in_chinese_the_suggestions_and_chips_speak_chinese(server, open_page):
    lin = register(server, "lin")
    yunwei = open_room(server, lin, "运维 值班")
    post(server, lin, yunwei, "明天的会议 https://example.com/agenda")
    post(server, lin, yunwei, "明天的会议 没有链接")
    page = open_page(lin, locale="zh-CN")
    box = page.locator("#search-input")
    assert box.get_attribute("placeholder") == "搜索消息"
    box.click()
    box.type("has:l")
    page.locator("#search-suggestions .search-suggestion", has_text="包含链接").click()
    box.type("in:运维")
    page.locator("#search-suggestions code", has_text='in:"运维 值班"').click()
    assert box.input_value() == 'has:link in:"运维 值班" '
    box.type("会议")
    page.keyboard.press("Enter")
    assert results(page) == ["明天的会议 https://example.com/agenda"]
    page.get_by_role("button", name="移除筛选条件 has:link").click()
    page.locator("#search-results .snippet", has_text="没有链接").wait_for()
    assert len(results(page)) == 2 and not page.errors


def test_a_refused_operator_is_said_in_the_panel(server, open_page):
    kai = register(server, "kai")
    page = open_page(kai)
    page.fill("#search-input", "colour:red 部署")
    page.locator("#search-chips .search-chip").first.wait_for(state="detached")
    page.press("#search-input", "Enter")
    page.locator("#search-results .form-error", has_text="colour:red").wait_for()
    assert not page.errors


def test_without_a_meeting_server_there_is_no_call_button(server, open_page):
    noa = register(server, "noa")
    page = open_page(noa)
    page.locator("#members-button").wait_for()
    assert page.locator("#call-button").count() == 0
    page.fill("#composer-input", "/call")
    page.press("#composer-input", "Enter")
    page.locator("#toast", has_text="Calls are off").wait_for()
    assert page.locator("#message-list .msg", has_text="/call").count() == 0

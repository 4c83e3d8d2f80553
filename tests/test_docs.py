"""Issue 24 item 3: the commands the README and docs show work on a bare Debian machine
(which has no `python`), and every document they point to is shipped."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    ROOT / "server.py",
    ROOT / "chat" / "ops" / "commands.py",  # the help text server.py --help shows
]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_no_document_shows_a_bare_python_command():
    for path in DOCUMENTS:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not re.search(r"(?<![\w/.-])python server\.py", line), (
                f"{path.name}:{number}: {line}"
            )


def test_every_relative_link_points_to_a_shipped_file():
    for path in DOCUMENTS:
        for target in LINK.findall(path.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target) or target.startswith("/"):
                continue
            assert (path.parent / target).exists(), f"{path.name} links {target}"


def test_every_mention_of_the_api_reference_names_the_shipped_file():
    assert (ROOT / "docs" / "API.md").is_file()
    for path in [ROOT / "README.md", ROOT / "chat" / "web" / "openapi.py"]:
        text = path.read_text(encoding="utf-8")
        assert "API.md" in text
        assert not re.search(r"(?<![\w/])API\.md", text), (
            f"{path.name} names an API.md it does not ship"
        )


async def test_the_api_docs_point_to_the_shipped_reference(client):
    spec = await (await client.get("/api/openapi.json")).json()
    assert "docs/API.md" in spec["info"]["description"]

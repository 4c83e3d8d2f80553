"""The shape of the tree: no import circles, and every import points down.

Reads every import of chat/ and server.py with ast (at module level and inside
functions: an import hidden in a function is still an arrow) and every import of the
page's modules in static/js/. The allowed directions are written below, one line per
layer; docs/architecture.md shows the same list. A new arrow means a line changes here,
on purpose and in review.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Layer -> the layers it may import (besides itself), top of the house first. A module
# belongs to the longest layer name it starts with. Inside a layer, any direction
# goes, as long as there is no circle.
ALLOWED = {
    "server": "chat.app chat.web chat.scale chat.ops chat.core chat.hub chat.db "
    "chat.settings chat.errors chat.i18n",
    "chat.app": "chat.api chat.wire chat.web chat.keys chat.scale chat.ops chat.core "
    "chat.hub chat.db chat.settings chat.errors",
    "chat.api": "chat.wire chat.web chat.keys chat.core chat.live chat.outbound chat.models "
    "chat.events chat.errors chat.clock chat.i18n",
    "chat.wire": "chat.web chat.keys chat.core chat.models chat.events chat.errors "
    "chat.clock chat.i18n",
    "chat.web": "chat.keys chat.ops chat.core chat.live chat.push chat.outbound chat.settings "
    "chat.signin_settings chat.models chat.events chat.errors chat.clock chat.i18n",
    "chat.keys": "chat.core chat.settings",
    "chat.scale": "chat.ops chat.core chat.hub chat.live chat.db chat.settings chat.models "
    "chat.events",
    "chat.ops": "chat.core chat.hub chat.db chat.durable chat.settings chat.clock",
    "chat.core": "chat.hub chat.live chat.push chat.outbound chat.db chat.durable "
    "chat.settings chat.signin_settings chat.models chat.events chat.errors chat.clock "
    "chat.i18n",
    "chat.hub": "chat.live chat.models chat.events chat.i18n",
    "chat.live": "chat.models chat.events chat.clock",
    "chat.push": "chat.durable chat.settings",
    "chat.outbound": "",
    "chat.db": "chat.models chat.clock chat.durable",
    "chat.durable": "",
    "chat.settings": "chat.signin_settings chat.push_settings chat.preview_settings "
    "chat.email_settings chat.host_settings chat.limit_settings chat.setting_values",
    "chat.signin_settings": "chat.setting_values",
    "chat.push_settings": "chat.setting_values",
    "chat.preview_settings": "chat.push_settings chat.setting_values",
    "chat.email_settings": "chat.setting_values",
    "chat.host_settings": "chat.setting_values",
    "chat.limit_settings": "chat.setting_values",
    "chat.setting_values": "",
    "chat.events": "chat.models",
    "chat.models": "",
    "chat.errors": "",
    "chat.clock": "",
    "chat.i18n": "",
    "chat": "",  # chat/__init__.py, the package's docstring: it imports nothing
}

# The page: the modules at the bottom import only each other (every screen, the admin
# page's too, builds on them), and nothing imports an entry point (a template's
# <script type="module">).
JS_ALLOWED_BELOW = {
    "i18n.js": "i18n_admin.js i18n_team.js i18n_threads.js",
    "i18n_admin.js": "",
    "i18n_team.js": "",
    "i18n_threads.js": "",
    "dom.js": "i18n.js",
    "api.js": "i18n.js",
    "dialogs.js": "dom.js i18n.js",
}
JS_ENTRY_POINTS = {"app.js", "admin.js", "apidocs.js"}
JS_IMPORT = re.compile(
    r"""^\s*(?:import|export)\b[^'";]*?\bfrom\s*["']([^"']+)["']"""
    r"""|^\s*import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)""",
    re.MULTILINE,
)
JS_REEXPORT = re.compile(r"^\s*export\s*(?:\*|\{[^}]*\})\s*(?:from\b|;)", re.MULTILINE)


def python_modules(root: Path) -> dict[str, Path]:
    found = {"server": root / "server.py"}
    for path in sorted((root / "chat").rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imported_modules(module: str, path: Path, modules: dict) -> list[tuple[str, int]]:
    """Every module of ours an import statement of this file names, with its line:
    "from chat.db import users" names chat.db.users, "from chat.core import Core" chat.core."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            for alias in node.names:
                name = f"{base}.{alias.name}"
                found.append((name if name in modules else base, node.lineno))
    return [(name, line) for name, line in found if name.split(".")[0] == "chat"]


def python_graph(root: Path) -> dict[str, dict[str, int]]:
    """Module -> the modules of ours it imports -> the line of the first import."""
    modules = python_modules(root)
    graph: dict[str, dict[str, int]] = {}
    for module, path in modules.items():
        edges = graph.setdefault(module, {})
        for name, line in imported_modules(module, path, modules):
            assert name in modules, f"{path}:{line} imports {name}, which is not in chat/"
            if name != module:
                edges.setdefault(name, line)
    return graph


def js_graph(root: Path) -> dict[str, dict[str, int]]:
    folder = root / "static" / "js"
    graph: dict[str, dict[str, int]] = {}
    for path in sorted(folder.glob("*.js")):
        text = path.read_text()
        edges = graph.setdefault(path.name, {})
        for match in JS_IMPORT.finditer(text):
            name = next(group for group in match.groups() if group)
            assert name.startswith("./") and "/" not in name[2:], f"{path.name} imports {name}"
            edges.setdefault(name[2:], text.count("\n", 0, match.start()) + 1)
    return graph


def circles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected parts of more than one module (Tarjan), each as a path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            part = []
            while True:
                member = stack.pop()
                part.append(member)
                if member == node:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def layer_of(module: str) -> str:
    owners = [
        name
        for name in ALLOWED
        if module == name or (name != "chat" and module.startswith(name + "."))
    ]
    assert owners, f"{module} belongs to no layer: add it to ALLOWED in tests/test_layers.py"
    return max(owners, key=len)


def arrows_up(graph: dict[str, dict[str, int]]) -> list[str]:
    wrong = []
    for module, edges in sorted(graph.items()):
        source = layer_of(module)
        for target, line in sorted(edges.items()):
            goal = layer_of(target)
            if goal != source and goal not in ALLOWED[source].split():
                wrong.append(f"{module}:{line} imports {target} ({source} -> {goal})")
    return wrong


def js_arrows_up(graph: dict[str, dict[str, int]]) -> list[str]:
    wrong = []
    for module, edges in sorted(graph.items()):
        for target, line in sorted(edges.items()):
            if target in JS_ENTRY_POINTS:
                wrong.append(f"{module}:{line} imports the entry point {target}")
            elif module in JS_ALLOWED_BELOW and target not in JS_ALLOWED_BELOW[module].split():
                wrong.append(f"{module}:{line} imports {target} from below the page's base")
    return wrong


def describe(graph: dict[str, dict[str, int]], part: list[str]) -> str:
    return "; ".join(
        f"{a} -> {b} (line {graph[a][b]})" for a in part for b in graph[a] if b in part
    )


def test_every_layer_named_in_the_rules_exists():
    modules = python_modules(ROOT)
    for layer, below in ALLOWED.items():
        for name in [layer, *below.split()]:
            assert name in modules, f"{name} in ALLOWED is not a module of chat/"


@pytest.mark.parametrize("graph_of", [python_graph, js_graph], ids=["python", "page"])
def test_modules_import_in_no_circle(graph_of):
    graph = graph_of(ROOT)
    assert [describe(graph, part) for part in circles(graph)] == []


def test_python_imports_point_down_the_layers():
    assert arrows_up(python_graph(ROOT)) == []


def test_only_server_imports_the_app():
    importers = [m for m, edges in python_graph(ROOT).items() if "chat.app" in edges]
    assert importers == ["server"]


def test_page_imports_point_down():
    assert js_arrows_up(js_graph(ROOT)) == []


def test_page_modules_do_not_pass_on_other_modules_names():
    """A name is imported from the module that defines it (sidebar.js once re-exported
    the dialogs, and two modules reached them through it, in a circle)."""
    folder = ROOT / "static" / "js"
    assert [path.name for path in folder.glob("*.js") if JS_REEXPORT.search(path.read_text())] == []


@pytest.mark.parametrize(
    ("where", "line", "wrong"),
    [
        ("chat/db/users.py", "from chat.core import Core\n", "chat.db -> chat.core"),
        ("chat/core/caps.py", "def f():\n    from chat.web import auth\n", "chat.core -> chat.web"),
        ("chat/api/records.py", "from chat.ops import exporting\n", "chat.api -> chat.ops"),
        ("chat/hub.py", "import chat.app\n", "chat.hub -> chat.app"),
    ],
)
def test_an_arrow_up_is_caught(tmp_path, where, line, wrong):
    copy = copy_of_chat(tmp_path)
    target = copy / where
    target.write_text(target.read_text() + "\n" + line)
    assert any(wrong in found for found in arrows_up(python_graph(copy)))


def test_a_python_circle_is_caught(tmp_path):
    copy = copy_of_chat(tmp_path)
    target = copy / "chat" / "clock.py"
    target.write_text(target.read_text() + "\n\ndef f():\n    from chat import models\n")
    models = copy / "chat" / "models" / "__init__.py"
    models.write_text(models.read_text() + "\nfrom chat import clock\n")
    assert circles(python_graph(copy)) == [["chat.clock", "chat.models"]]


def test_a_page_circle_and_an_arrow_up_are_caught(tmp_path):
    folder = tmp_path / "static" / "js"
    folder.mkdir(parents=True)
    (folder / "dom.js").write_text('import { t } from "./i18n.js";\nimport "./api.js";\n')
    (folder / "i18n.js").write_text("export const t = (key) => key;\n")
    (folder / "api.js").write_text(
        'import {\n  h,\n} from "./dom.js";\nexport const api = () => import("./app.js");\n'
    )
    (folder / "app.js").write_text('export { t } from "./i18n.js";\n')
    graph = js_graph(tmp_path)
    assert circles(graph) == [["api.js", "dom.js"]]
    assert js_arrows_up(graph) == [
        "api.js:4 imports the entry point app.js",
        "api.js:1 imports dom.js from below the page's base",
        "dom.js:2 imports api.js from below the page's base",
    ]
    assert JS_REEXPORT.search((folder / "app.js").read_text())


def copy_of_chat(tmp_path: Path) -> Path:
    for path in [ROOT / "server.py", *(ROOT / "chat").rglob("*.py")]:
        target = tmp_path / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text())
    return tmp_path

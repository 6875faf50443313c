"""byof's own import graph, read from the source: which module imports which, at run time.

Every import counts, including those inside functions (they run too, just later); only imports
under `if TYPE_CHECKING:` do not.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"core": "byof", "adapters": "byof.adapters", "templates": "byof.templates"}


def module_names(folder: str = "core") -> dict[str, Path]:
    """Each module under `folder` by its import name."""
    base = ROOT / folder
    found = {}
    # A template's project files are Jinja: only the templates package's own modules are Python.
    paths = base.glob("*.py") if folder == "templates" else base.rglob("*.py")
    for path in paths:
        parts = list(path.relative_to(base).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join([PACKAGES[folder], *parts])] = path
    return found


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[tuple[str, int, list[str]]]:
    """(module, level, names) of every import outside `if TYPE_CHECKING:`."""
    found: list[tuple[str, int, list[str]]] = []
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and _type_checking(node):
            todo.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            found += [(a.name, 0, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level, [a.name for a in node.names]))
        todo.extend(ast.iter_child_nodes(node))
    return found


def graph(folder: str = "core") -> dict[str, set[str]]:
    """Module -> the byof modules it imports (a package's `__init__` counts as importing what it
    re-exports; `from pkg import module` imports that module)."""
    modules = module_names(folder)
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for module, level, names in _imports(ast.parse(path.read_text())):
            if level:
                base = package.split(".")
                base = base[: len(base) - (level - 1)]
                module = ".".join([*base, module] if module else base)
            # `from pkg import mod` runs pkg's __init__ and imports pkg.mod. A module's own parent
            # packages are imported before it anyway: an edge to one is no dependency.
            targets = [module, *(f"{module}.{n}" for n in names)]
            # Importing a module runs the __init__ of each package above it, too.
            parts = module.split(".")
            targets += [".".join(parts[:i]) for i in range(1, len(parts))]
            for target in targets:
                if target in modules and target != name and not name.startswith(target + "."):
                    edges[name].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles: strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return groups

"""``extends`` chains of scenario files: safe resolution, merging, and where each value was written.

A scenario may say ``extends = "other.toml"``. Tables are merged key by key;
arrays of tables whose entries carry a ``name`` (bands, columns, leaders, depots,
regions) or an ``id`` (timeline) are merged entry by entry, and an entry with
``remove = true`` deletes the inherited one (removing an entry that is not
inherited is an error); any other array replaces the inherited one.

The parent is looked up relative to the file that names it and must lie inside
the folder tree of the scenario being loaded or in the project's ``scenarios/``
(``allow_outside=True`` lifts this). Alongside the merged table an
:class:`Origin` tree records which file wrote each value and how the user named
each array entry, so a problem found in the merged scenario is reported against
the file and the entry where it was written (``timeline[id="amnesty-1925"].date``
in ``parent.toml``), not against the child that extends it.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from sim.validation import InputError, Problem, Shown, read_toml

__all__ = ["MAX_CHAIN", "Origin", "extends_chain", "read_merged"]

MAX_CHAIN = 16
"""Longest ``extends`` chain followed."""
_KEYS = ("name", "id")
_TOKEN = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


@dataclasses.dataclass
class Origin:
    """Which file wrote a value, and the user's label of an array entry.

    Attributes
    ----------
    file : str
        The file the value (or table) was written in.
    label : str
        For an array entry: ``id="..."`` or ``name="..."`` if it has one, else its
        index in the array of the file that wrote it.
    children : dict
        Origins of the keys of a table (str keys) or entries of an array (int keys).
    """

    file: str
    label: str = ""
    children: dict[Any, Origin] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, data: Any, file: str, label: str = "") -> Origin:
        """The origin tree of a table read from one file."""
        node = cls(file, label)
        if isinstance(data, dict):
            node.children = {k: cls.of(v, file) for k, v in data.items()}
        elif isinstance(data, list):
            node.children = {
                i: cls.of(v, file, _label(v, i)) for i, v in enumerate(data)
            }
        return node

    def locate(self, path: str) -> tuple[str, str]:
        """The file that wrote the value at a merged ``path``, and the path as the user wrote it.

        ``timeline[10].date`` becomes ``timeline[id="amnesty-1925"].date`` and the file
        of that entry's ``date`` (or of the deepest part of the path that exists).
        """
        node: Origin | None = self
        file = self.file
        shown: list[str] = []
        for m in _TOKEN.finditer(path):
            index, key = m.group(1), m.group(2)
            child = None
            if node is not None:
                child = node.children.get(int(index) if index is not None else key)
            if index is not None:
                shown.append(f"[{child.label if child is not None else index}]")
            else:
                shown.append(("." if shown else "") + key)
            if child is not None:
                file = child.file
            node = child
        return file, "".join(shown) if shown else path


def _label(entry: Any, index: int) -> str:
    key = _key_of(entry) if isinstance(entry, dict) else None
    if key is None:
        return str(index)
    k, v = key
    return f'{k}="{v}"'


def _key_of(entry: dict[str, Any]) -> tuple[str, str] | None:
    for k in _KEYS:
        value = entry.get(k)
        if isinstance(value, str) and value:
            return k, value
    return None


def read_merged(
    path: Path, *, roots: tuple[Path, ...], allow_outside: bool = False
) -> tuple[dict[str, Any], Origin]:
    """Read a scenario file and its ``extends`` chain, merged, with the origin of every value.

    Parameters
    ----------
    path : Path
        The scenario file.
    roots : tuple of Path
        Folders a parent may lie in (besides the folder tree of ``path``).
    allow_outside : bool
        Follow ``extends`` to any file.

    Raises
    ------
    InputError
        Naming the file whose ``extends`` is bad (cycle, outside the allowed folders,
        missing, not a ``.toml`` file, chain too long), or a problem of a parent file
        itself (not UTF-8, too large, not TOML, empty, a ``remove`` of nothing).
    """
    allowed = (path.resolve().parent, *(r.resolve() for r in roots))
    return _read(path.resolve(), (), allowed, allow_outside, str(path))


def extends_chain(
    path: Path, *, roots: tuple[Path, ...], allow_outside: bool = False
) -> list[tuple[Path, dict[str, Any]]]:
    """The files of a scenario's ``extends`` chain, child first, each with its own table.

    Resolved and read as :func:`read_merged` does (same folders, limits and errors),
    without merging.

    Raises
    ------
    InputError
        As :func:`read_merged`.
    """
    allowed = (path.resolve().parent, *(r.resolve() for r in roots))
    out: list[tuple[Path, dict[str, Any]]] = []
    current, name = path.resolve(), str(path)
    while True:
        data = read_toml(current, what="a scenario TOML file", file=name)
        out.append((current, data))
        parent = data.get("extends")
        if parent is None:
            return out
        current = _resolve(parent, current, tuple(p for p, _ in out[:-1]), allowed, allow_outside, name)
        name = _display(current)


def _read(
    path: Path,
    chain: tuple[Path, ...],
    roots: tuple[Path, ...],
    allow_outside: bool,
    name: str,
) -> tuple[dict[str, Any], Origin]:
    data = read_toml(path, what="a scenario TOML file", file=name)
    if not data:
        raise InputError(
            [Problem(name, "", Shown("<empty file>"), "a scenario: at least `name`, `start` and `end`")]
        )
    parent = data.pop("extends", None)
    if parent is None:
        return data, Origin.of(data, name)
    parent_path = _resolve(parent, path, chain, roots, allow_outside, name)
    parent_name = _display(parent_path)
    base, base_origin = _read(parent_path, (*chain, path), roots, allow_outside, parent_name)
    problems: list[Problem] = []
    merged, origin = _merge(base, base_origin, data, Origin.of(data, name), "", name, problems)
    if problems:
        raise InputError(problems)
    return merged, origin


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _resolve(
    parent: Any,
    path: Path,
    chain: tuple[Path, ...],
    roots: tuple[Path, ...],
    allow_outside: bool,
    name: str,
) -> Path:
    def bad(allowed: str) -> InputError:
        return InputError([Problem(name, "extends", parent, allowed)])

    if not isinstance(parent, str) or not parent or len(parent) > 255:
        raise bad("a scenario file name (text of 1-255 characters), e.g. \"tiny.toml\"")
    if any(ord(c) < 32 or c == "\x7f" for c in parent):
        raise bad("a file name without control characters")
    target = Path(parent)
    if not target.name or target.name in (".", ".."):
        raise bad("a scenario file name, not a folder")
    if not target.suffix:
        target = target.with_suffix(".toml")
    if target.suffix != ".toml":
        raise bad("a scenario file ending in .toml")
    try:
        resolved = (path.parent / target).resolve()
    except (OSError, RuntimeError, ValueError):
        raise bad("a resolvable file path") from None
    if not allow_outside and not any(resolved.is_relative_to(r) for r in roots):
        where = " or ".join(str(r) for r in roots)
        raise bad(f"a scenario file inside {where} (other places need the allow-outside option)")
    if resolved in chain or resolved == path:
        cycle = " -> ".join(p.name for p in (*chain, path, resolved))
        raise bad(f"no cycle ({cycle})")
    if len(chain) + 1 >= MAX_CHAIN:
        raise bad(f"a chain of at most {MAX_CHAIN} files")
    try:
        is_file = resolved.is_file()
    except OSError:
        is_file = False
    if not is_file:
        raise bad(f"an existing scenario file (looked for {_display(resolved)})")
    return resolved


def _merge(
    base: dict[str, Any],
    obase: Origin,
    over: dict[str, Any],
    oover: Origin,
    where: str,
    file: str,
    problems: list[Problem],
) -> tuple[dict[str, Any], Origin]:
    """Merge ``over`` into ``base`` (see the module docstring for the rules)."""
    out = dict(base)
    origin = Origin(obase.file, obase.label, dict(obase.children))
    for key, value in over.items():
        old = out.get(key)
        sub = f"{where}.{key}" if where else key
        if isinstance(old, dict) and isinstance(value, dict):
            out[key], origin.children[key] = _merge(
                old, obase.children[key], value, oover.children[key], sub, file, problems
            )
        elif isinstance(old, list) and isinstance(value, list) and _keyed(old) and _keyed(value):
            out[key], origin.children[key] = _merge_keyed(
                old, obase.children[key], value, oover.children[key], sub, file, problems
            )
        else:
            out[key] = value
            origin.children[key] = oover.children[key]
    return out, origin


def _keyed(items: list[Any]) -> bool:
    return all(isinstance(i, dict) for i in items)


def _merge_keyed(
    base: list[dict[str, Any]],
    obase: Origin,
    over: list[dict[str, Any]],
    oover: Origin,
    where: str,
    file: str,
    problems: list[Problem],
) -> tuple[list[dict[str, Any]], Origin]:
    out = list(base)
    origins = [obase.children[i] for i in range(len(base))]
    index = {_key_of(e): i for i, e in enumerate(out) if _key_of(e) is not None}
    removed: set[int] = set()
    for j, given in enumerate(over):
        key = _key_of(given)
        entry = dict(given)
        remove = entry.pop("remove", False)
        label = oover.children[j].label
        if not isinstance(remove, bool):
            problems.append(Problem(file, f"{where}[{label}].remove", remove, "true or false"))
            continue
        if key is not None and key in index:
            i = index[key]
            if remove:
                removed.add(i)
            else:
                out[i], origins[i] = _merge(
                    out[i], origins[i], entry, oover.children[j], f"{where}[{label}]", file, problems
                )
        elif remove:
            names = sorted(f'{k}="{v}"' for k, v in (kk for kk in index if kk is not None))
            problems.append(
                Problem(
                    file,
                    f"{where}[{label}].remove",
                    True,
                    "an inherited entry to remove: "
                    + (", ".join(names[:20]) + (" ..." if len(names) > 20 else "") if names else "none is inherited"),
                )
            )
        else:
            child = oover.children[j]
            out.append(entry)
            origins.append(Origin(child.file, child.label, child.children))
    keep = [i for i in range(len(out)) if i not in removed]
    merged = Origin(oover.file, "", {n: origins[i] for n, i in enumerate(keep)})
    return [out[i] for i in keep], merged

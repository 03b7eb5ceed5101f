"""One validator for every input file: scenarios, sweep specs and calibration targets.

Reading
    :func:`read_toml` reads a file as bytes with a size limit, decodes it as UTF-8
    with an error naming the byte offset and line, pre-checks the text for the
    shapes that make :mod:`tomllib` recurse or allocate without bound (brackets
    nested deeper than :data:`MAX_NESTING`, dotted keys of more than
    :data:`MAX_KEY_PARTS` parts) and only then parses it. No input can end in a
    ``RecursionError``, ``MemoryError`` or ``UnicodeDecodeError``.
Checking
    Every problem is collected as a :class:`Problem` (file, field path, value, what
    is allowed) and raised together as one :class:`InputError`. :class:`Checker`
    reads typed values with defaults and bounds; :func:`number_problem` is the one
    check of a number against its bounds, refusing NaN and infinities.
Showing
    Values are shown through :func:`show`, which never recurses without bound and
    never prints more than :data:`SHOW_CHARS` characters.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import reprlib
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "FIRST_DATE",
    "LAST_DATE",
    "MAX_BYTES",
    "MAX_KEY_PARTS",
    "MAX_NESTING",
    "NAME_ALLOWED",
    "Checker",
    "InputError",
    "Problem",
    "Shown",
    "is_safe_name",
    "number_problem",
    "precheck_text",
    "read_toml",
    "show",
]

MAX_BYTES = 1_000_000
"""Largest input file read, in bytes (the largest shipped scenario is about 16 kB)."""
MAX_NESTING = 16
"""Deepest nesting of arrays and inline tables in an input file."""
MAX_KEY_PARTS = 10
"""Most parts of one dotted key (``a.b.c`` has 3)."""
FIRST_DATE = dt.date(1918, 1, 1)
"""Earliest date of the simulator's historical period (the revolt of 1918)."""
LAST_DATE = dt.date(1935, 12, 31)
"""Latest date of the historical period (the last Basmachi raids, mid-1930s)."""
SHOW_CHARS = 80
"""Longest shown value in a message."""
NAME_ALLOWED = (
    "1-80 characters: letters, digits, '_', '-' or '.', starting with a letter or digit"
    " (used in output file names)"
)

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = SHOW_CHARS
_REPR.maxother = SHOW_CHARS
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 6


class Shown(str):
    """A description standing in for a value (``<file>``), shown without quotes."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def show(value: Any) -> str:
    """A short, bounded ``repr`` of a value for messages (never recursive without bound)."""
    text = str(value) if isinstance(value, Shown) else _REPR.repr(value)
    return text if len(text) <= SHOW_CHARS else text[: SHOW_CHARS - 3] + "..."


@dataclasses.dataclass(frozen=True)
class Problem:
    """One validation problem: where (file and field path), the value, and what is allowed."""

    file: str
    path: str
    value: Any
    allowed: str

    def __str__(self) -> str:
        path = self.path or "<top>"
        if len(path) > 160:
            path = path[:157] + "..."
        return f"{self.file}: {path} = {show(self.value)}: expected {self.allowed}"


class InputError(ValueError):
    """An input file or parameter set is invalid; ``problems`` lists every issue found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def is_safe_name(name: str) -> bool:
    """Whether ``name`` may be used as an output file or folder name (see :data:`NAME_ALLOWED`)."""
    return (
        0 < len(name) <= 80
        and name[0].isascii()
        and name[0].isalnum()
        and all(c.isascii() and (c.isalnum() or c in "_-.") for c in name)
    )


def number_problem(
    value: float,
    *,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
    allow_inf: bool = False,
) -> str | None:
    """What is allowed, if ``value`` breaks the bounds (or is NaN or infinite); else None."""
    parts: list[str] = []
    if gt is not None:
        parts.append(f"> {gt:g}")
    if ge is not None:
        parts.append(f">= {ge:g}")
    if lt is not None:
        parts.append(f"< {lt:g}")
    if le is not None:
        parts.append(f"<= {le:g}")
    allowed = " and ".join(parts)
    kind = "a number" if allow_inf else "a finite number"
    text = f"{kind} {allowed}".rstrip()
    if isinstance(value, float) and (math.isnan(value) or (math.isinf(value) and not allow_inf)):
        return text
    bad = (
        (ge is not None and value < ge)
        or (le is not None and value > le)
        or (gt is not None and value <= gt)
        or (lt is not None and value >= lt)
    )
    return text if bad else None


# --------------------------------------------------------------------------- reading


def precheck_text(text: str) -> str | None:
    """Refuse text whose shape would make the TOML parser recurse or allocate without bound.

    Scans outside strings and comments for brackets nested deeper than
    :data:`MAX_NESTING` and for dotted keys of more than :data:`MAX_KEY_PARTS` parts.

    Returns
    -------
    str or None
        What is wrong and where (line number), or None when the text is fine.
    """
    depth = 0
    dots = 0
    line = 1
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            dots = 0
        elif c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n:
                if text[j] == "\\" and c == '"':
                    j += 2
                    continue
                if text.startswith(quote, j):
                    break
                if text[j] == "\n":
                    if len(quote) == 1:
                        break
                    line += 1
                j += 1
            i = j + len(quote) if text.startswith(quote, j) else j
            continue
        elif c in "[{":
            depth += 1
            dots = 0
            if depth > MAX_NESTING:
                return f"arrays or inline tables nested at most {MAX_NESTING} deep (line {line})"
        elif c in "]}":
            depth = max(depth - 1, 0)
        elif c in ",=":
            dots = 0
        elif c == ".":
            between_digits = 0 < i < n - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()
            if not between_digits:
                dots += 1
                if dots >= MAX_KEY_PARTS:
                    return f"dotted keys of at most {MAX_KEY_PARTS} parts (line {line})"
        i += 1
    return None


def _depth_problem(data: Any) -> bool:
    """Whether parsed data nest deeper than tables and arrays allowed (iterative walk)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, d = stack.pop()
        if d > MAX_NESTING + MAX_KEY_PARTS:
            return True
        if isinstance(node, dict):
            stack.extend((v, d + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, d + 1) for v in node)
    return False


def read_toml(path: Path, *, what: str, file: str | None = None, max_bytes: int = MAX_BYTES) -> dict[str, Any]:
    """Read a TOML input file with limits on size, encoding and nesting.

    Parameters
    ----------
    path : Path
        The file to read.
    what : str
        What the file should be, for messages (e.g. ``"a scenario TOML file"``).
    file : str, optional
        How to name the file in messages (default ``str(path)``).
    max_bytes : int
        Largest size accepted.

    Returns
    -------
    dict
        The parsed table.

    Raises
    ------
    InputError
        With one problem naming the file and what is wrong: missing, a folder,
        unreadable, too large, not UTF-8, too deeply nested, or not valid TOML.
    """
    name = str(path) if file is None else file
    try:
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError([Problem(name, "", Shown("<file>"), f"an existing file ({what})")]) from None
    except IsADirectoryError:
        raise InputError([Problem(name, "", Shown("<folder>"), f"a file, not a folder ({what})")]) from None
    except (OSError, ValueError) as exc:  # permission, name too long, NUL byte in the name
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError([Problem(name, "", Shown("<file>"), f"a readable file ({what}): {reason}")]) from None
    if len(raw) > max_bytes:
        raise InputError(
            [Problem(name, "", Shown(f"<more than {max_bytes:,} bytes>"), f"a file of at most {max_bytes:,} bytes")]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        bad = raw[exc.start : exc.start + 1].hex()
        raise InputError(
            [Problem(name, "", Shown(f"<byte 0x{bad} at offset {exc.start}, line {line}>"), "UTF-8 text")]
        ) from None
    shape = precheck_text(text)
    if shape is not None:
        raise InputError([Problem(name, "", Shown("<file>"), shape)])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Problem(name, "", Shown("<file>"), f"valid TOML ({exc})")]) from None
    except (RecursionError, MemoryError):  # pragma: no cover - excluded by precheck_text
        raise InputError([Problem(name, "", Shown("<file>"), "TOML of a reasonable shape")]) from None
    if _depth_problem(data):
        raise InputError([Problem(name, "", Shown("<file>"), "tables nested less deeply")])
    return data


# --------------------------------------------------------------------------- checking

_TYPE_NAMES = {
    str: "text",
    int: "an integer",
    float: "a finite number",
    bool: "true or false",
    list: "a list",
}


class Checker:
    """Collects problems while reading values with defaults, types and bounds.

    Parameters
    ----------
    origin : str
        The file named in every problem.
    """

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.problems: list[Problem] = []

    def problem(self, path: str, value: Any, allowed: str) -> None:
        """Record one problem."""
        self.problems.append(Problem(self.origin, path, value, allowed))

    def table(self, data: Mapping[str, Any], key: str, *, required: bool = False) -> Mapping[str, Any]:
        """The sub-table ``key`` of ``data`` (empty if absent or not a table)."""
        raw = data.get(key)
        if raw is None:
            if required:
                self.problem(key, None, f"a [{key}] table")
            return {}
        if not isinstance(raw, dict):
            self.problem(key, raw, f"a [{key}] table")
            return {}
        return raw

    def unknown(self, data: Mapping[str, Any], where: str, known: tuple[str, ...]) -> None:
        """Record every key of ``data`` not in ``known``."""
        for key in data:
            if key not in known:
                path = f"{where}.{key}" if where else key
                self.problem(path, data[key], "one of the keys " + ", ".join(known))

    def get(
        self, data: Mapping[str, Any], path: str, typ: type, default: Any, **bounds: float
    ) -> Any:
        """The value at the last part of ``path`` in ``data``, checked; ``default`` if absent or bad.

        ``bounds`` are ``ge``, ``gt``, ``le`` and ``lt``; numbers must be finite.
        """
        key = path.rsplit(".", 1)[-1]
        if key not in data:
            return default
        return self.value(path, data[key], typ, default, **bounds)

    def value(self, path: str, value: Any, typ: type, default: Any, **bounds: float) -> Any:
        """``value`` (found at ``path``) checked for type and bounds; ``default`` if bad.

        Problems show the value as written (an integer given for a float stays an integer).
        """
        written = value
        ok = isinstance(value, typ) and not (typ is not bool and isinstance(value, bool))
        if typ is float and isinstance(value, int) and not isinstance(value, bool):
            ok = abs(value) < 2**1023  # float() of a larger integer overflows
            value = float(value) if ok else value
        if not ok:
            self.problem(path, written, _TYPE_NAMES.get(typ, typ.__name__))
            return default
        if typ in (int, float):
            bad = number_problem(
                value,
                ge=bounds.get("ge"),
                le=bounds.get("le"),
                gt=bounds.get("gt"),
                lt=bounds.get("lt"),
            )
            if bad is not None:
                self.problem(path, written, bad.replace("a finite number", "an integer") if typ is int else bad)
                return default
        return value

    def choice(self, data: Mapping[str, Any], path: str, choices: tuple[str, ...], default: str) -> str:
        """A string value that must be one of ``choices``."""
        value = self.get(data, path, str, default)
        if value not in choices:
            self.problem(path, value, "one of " + ", ".join(c or "''" for c in choices))
            return default
        return str(value)

    def raise_if_any(self) -> None:
        """Raise :class:`InputError` with every problem recorded, if any."""
        if self.problems:
            raise InputError(self.problems)

"""Lazy package exports: names imported from their modules on first use (PEP 562).

The command line registers subcommands from packages whose modules need pandas; with
lazy exports ``basmachi --help`` does not pay for it.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


class _Package(types.ModuleType):
    """A package whose exported names may share their module's name (``sweep``)."""

    _lazy_home: Mapping[str, str]

    def __setattr__(self, name: str, value: Any) -> None:
        # Importing the submodule ``pkg.sweep`` binds the module on the package; the
        # package exports the function of that name, as an eager ``from .sweep import
        # sweep`` would have left it.
        homes = self.__dict__.get("_lazy_home", {})
        if (name in homes and isinstance(value, types.ModuleType)
                and value.__name__ == f"{self.__name__}.{name}" and hasattr(value, name)):
            value = getattr(value, name)
        super().__setattr__(name, value)


def lazy_exports(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """Make ``package`` export ``homes`` (name -> submodule) lazily; returns its ``__getattr__``.

    Use as ``__getattr__ = lazy_exports(__name__, {...})`` in the package's ``__init__``.
    """
    module = sys.modules[package]
    module.__class__ = _Package
    module._lazy_home = dict(homes)  # type: ignore[attr-defined]

    def __getattr__(name: str) -> Any:
        if name in homes:
            value = getattr(importlib.import_module(f"{package}.{homes[name]}"), name)
            setattr(module, name, value)
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__

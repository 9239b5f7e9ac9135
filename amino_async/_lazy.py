"""Lazy re-exports (PEP 562): a package names what it re-exports, and imports each submodule when a name of it is
first used, so that ``import amino_async`` does not build every model class of every API area.

A package writes its names once for the type checkers (an ``if TYPE_CHECKING:`` block of imports, which mypy, IDEs
and griffe read) and once for the runtime (a table of submodule -> names, given to :func:`lazy_exports`);
``tests/test_imports.py`` checks that the two agree and that every name resolves.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, exports: Mapping[str, Iterable[str]], submodules: Iterable[str] = ()
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """A module ``__getattr__`` and ``__dir__`` for ``package``.

    ``exports`` maps a module, relative to the package (``".catalogue"``), to the names the package re-exports
    from it; ``submodules`` are the package's submodules reachable as attributes (``amino_async.models.legacy``)
    before anything imported them. A name is imported on first use, then kept in the package's namespace.
    """
    where = {name: module for module, names in exports.items() for name in names}
    lazy_submodules = frozenset(submodules)
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> object:
        module = where.get(name)
        if module is not None:
            value = getattr(importlib.import_module(module, package), name)
        elif name in lazy_submodules:
            value = importlib.import_module(f".{name}", package)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *where, *lazy_submodules})

    return __getattr__, __dir__

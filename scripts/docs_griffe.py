"""A griffe extension for the docs site (``mkdocs.yml`` loads it): reads the package's reST-flavoured docstrings as
Markdown.

The docstrings are written for ``help()`` and editors, in plain prose with Sphinx roles. For the site:

- a role (``:class:`~amino_async.DecodeError```, ``:meth:`as_profile```, ``:attr:`title <target>```) becomes
  inline code, linked to the object's reference entry where the docs render it; the name is resolved from the
  docstring's own scope, and a name the docs do not render stays plain code (an optional cross-reference: never a
  broken link);
- a reST literal block (a paragraph ending in ``::`` and the indented lines after it) becomes a fenced Python block.
"""

from __future__ import annotations

import html
import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(class|func|meth|attr|exc|data|mod|obj|const):`(~?)([^`]+)`")
_TITLED = re.compile(r"^(.*?)\s*<([^<>]+)>$")


def _target(obj: griffe.Object, name: str) -> str | None:
    """The full path of ``name`` as seen from ``obj``'s scope (``Page.next_page`` too), or None."""
    if name.startswith("."):
        return None
    head, _, rest = name.partition(".")
    scope: griffe.Object | None = obj
    while scope is not None:
        try:
            path = scope.resolve(head)
        except (griffe.NameResolutionError, ValueError, AttributeError):
            scope = scope.parent
            continue
        return f"{path}.{rest}" if rest else path
    return None


def _roles(obj: griffe.Object, text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        short, name = match.group(2) == "~", match.group(3).strip()
        titled = _TITLED.match(name)  # :attr:`title <target>`
        if titled:
            shown, name = titled.group(1).strip(), titled.group(2).strip()
        else:
            shown = name.rsplit(".", 1)[-1] if short else name
        code = f"<code>{html.escape(shown)}</code>"
        target = _target(obj, name) if not name.startswith("amino_async.") else name
        if target is None:
            return code
        return f'<autoref identifier="{html.escape(target)}" optional>{code}</autoref>'

    return _ROLE.sub(replace, text)


def _literal_blocks(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.rstrip().endswith("::") and index + 1 < len(lines) and not lines[index + 1].strip():
            stripped = line.rstrip()[:-2].rstrip()
            if stripped:
                out.append(stripped + ":")
            start = index + 1
            while start < len(lines) and not lines[start].strip():
                start += 1
            indent = len(line) - len(line.lstrip())
            block: list[str] = []
            end = start
            while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
                block.append(lines[end])
                end += 1
            while block and not block[-1].strip():
                block.pop()
                end -= 1
            if block:
                margin = min(len(b) - len(b.lstrip()) for b in block if b.strip())
                pad = " " * indent
                out.extend(["", f"{pad}```python", *(pad + b[margin:] for b in block), f"{pad}```"])
                index = end
                continue
        out.append(line)
        index += 1
    return "\n".join(out)


class ReSTToMarkdown(griffe.Extension):
    """Rewrites each docstring of a loaded package once, before anything renders it."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        seen: set[int] = set()
        stack: list[griffe.Object] = [pkg]
        while stack:
            obj = stack.pop()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if obj.docstring is not None:
                obj.docstring.value = _roles(obj, _literal_blocks(obj.docstring.value))
            stack.extend(member for member in obj.members.values() if not member.is_alias)

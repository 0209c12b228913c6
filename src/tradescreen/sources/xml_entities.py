"""Entity references in list XML: expanded into the text around them, each one reported.

The tree readers parse with `resolve_entities=False` so that no external entity is ever loaded and
no nested declaration can multiply itself (billion laughs). lxml then leaves each reference as a
node of its own, and `.text` stops in front of it: "Jos&eacute; MUNOZ" was read as "Jos" and the
rest of the name vanished without a word. Here each reference to an internal declaration is
replaced by its replacement text, taken literally one level deep (a nested reference stays as
written), and a reference that cannot be expanded (external, undeclared) is kept as written;
either way the import reports it.
"""

from __future__ import annotations

from lxml import etree


def expand_entities(root: etree._Element, label: str) -> list[str]:
    """Splice every entity reference under `root` into its text; one warning per entity name
    (with how often and where first), so a file full of `&eacute;` is one line, not thousands."""
    declared = _declarations(root)
    seen: dict[str, tuple[int, str]] = {}
    for ref in list(root.iter(etree.Entity)):
        name = ref.name
        value = declared.get(name)
        count, where = seen.get(name, (0, _where(ref)))
        seen[name] = (count + 1, where)
        _splice(ref, value if value is not None else ref.text or f"&{name};")
    warnings = []
    for name, (count, where) in seen.items():
        value = declared.get(name)
        done = (
            f"expanded to {value!r}" if value is not None
            else "has no internal declaration: kept as written"
        )
        times = f" ({count} times, first in {where})" if count > 1 else f" in {where}"
        warnings.append(f"{label}: entity reference &{name};{times} {done}")
    return warnings


def _declarations(root: etree._Element) -> dict[str, str]:
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is None:
        return {}
    return {
        ent.name: ent.content
        for ent in dtd.iterentities()
        if ent.content is not None and not ent.system_url
    }


def _where(ref: etree._Element) -> str:
    parent = ref.getparent()
    tag = etree.QName(parent).localname if parent is not None else "?"
    line = getattr(ref, "sourceline", None)
    return f"<{tag}>" + (f" at line {line}" if line else "")


def _splice(ref: etree._Element, text: str) -> None:
    parent = ref.getparent()
    if parent is None:  # pragma: no cover - a reference is always inside an element
        return
    joined = text + (ref.tail or "")
    previous = ref.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + joined
    else:
        parent.text = (parent.text or "") + joined
    parent.remove(ref)

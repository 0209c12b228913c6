"""Reader for FollowTheMoney JSON lines: OpenSanctions entity exports and their delta files.

An export is a graph: a sanctioned company is one line, its owners, directors, sanction
designations, addresses and passports are other lines pointing at it by id. We keep the entities
that can be screened (people, companies, vessels, ...) and fold the rest into them: links become
Relations, Sanction entities give programs and listing dates, Address and Passport entities give
addresses and identifiers (`ftm_graph`). Files of any size are read in bounded memory: the lines
go to a scratch table on disk and the entities are built from it as the store asks for them.

Delta files hold `{"op": "ADD"|"MOD"|"DEL", "entity": {...}}` lines; ops are applied in order.
Two plain lines with one id are fragments of one entity: they are merged (as followthemoney does)
and each is reported, never silently overwritten. A folder of files from different datasets is
refused: each dataset is its own list.
"""

from __future__ import annotations

import contextlib
import gzip
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import orjson

from tradescreen.model import Entity
from tradescreen.sources.base import ListRead, SourceError, sha256_file
from tradescreen.sources.ftm_graph import NO_NAME, NOT_SCREENED, Graph

__all__ = ["FORMAT", "NOT_SCREENED", "NO_NAME", "read"]

FORMAT = "ftm_json"
T = TypeVar("T")
_STEM_NOISE = re.compile(r"(^|_)(entities|\d{8,14})(?=_|$)")


def _open(path: Path) -> Iterator[bytes]:
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            yield from fh
    except (OSError, EOFError) as exc:
        raise SourceError(f"{path.name}: cannot read ({exc})") from exc


def _load(path: Path, file: int, graph: Graph) -> int:
    """Add one file's lines to `graph`; returns how many lines it held."""
    lines = 0
    for lineno, raw in enumerate(_open(path), 1):
        if not raw.strip():
            continue
        lines += 1
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise SourceError(f"{path.name}: line {lineno}: not valid JSON ({exc})") from exc
        if not isinstance(obj, dict):
            raise SourceError(f"{path.name}: line {lineno}: expected a JSON object")
        op = None
        if "op" in obj:
            op = str(obj["op"]).upper()
            obj = obj.get("entity")
            if op not in ("ADD", "MOD", "DEL") or not isinstance(obj, dict):
                raise SourceError(f"{path.name}: line {lineno}: malformed delta operation")
        entity_id = obj.get("id")
        if not isinstance(entity_id, str) or not entity_id:
            raise SourceError(f"{path.name}: line {lineno}: FtM entity without an id")
        origin = f"{path.name}:{lineno}"
        if op != "DEL":
            if not isinstance(obj.get("schema"), str):
                raise SourceError(
                    f"{path.name}: line {lineno}: FtM entity {entity_id} has no schema"
                )
            if not isinstance(obj.get("properties", {}), dict):
                raise SourceError(
                    f"{path.name}: line {lineno}: properties of {entity_id} malformed"
                )
        if op is None:
            graph.add(obj, raw.rstrip(b"\r\n"), origin, file)
        else:
            graph.apply(op, obj, origin, file)
    if lines == 0:
        raise SourceError(f"{path.name}: empty file, no FtM entities")
    return lines


def _stem_source(path: Path) -> str:
    stem = path.name.split(".")[0]
    stem = _STEM_NOISE.sub("", stem).strip("_") or path.parent.name
    return "os_" + (re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_") or "ftm")


def _source_name(paths: Sequence[Path], graph: Graph) -> str:
    only = graph.only_dataset()
    return f"os_{only}" if only else _stem_source(paths[0])


def _is_delta(path: Path) -> bool:
    """Whether the file holds delta operations (its first line is an `op`)."""
    for raw in _open(path):
        if raw.strip():
            with contextlib.suppress(orjson.JSONDecodeError):
                obj = orjson.loads(raw)
                return isinstance(obj, dict) and "op" in obj
            return False
    return False


def _belongs(
    group: set[str], group_export: frozenset[str] | None, datasets: set[str],
    export: frozenset[str] | None,
) -> bool:
    if export is not None and group_export is not None:
        return group_export == export  # two exports: one dataset only if they name the same
    return bool(group & datasets)


def _check_one_dataset(paths: Sequence[Path], graph: Graph) -> None:
    """Refuse a folder whose files come from unrelated datasets: each is a list of its own.

    Two exports belong together only when their records name the same datasets: an export of
    one dataset (all records `eu_fsf`) and a collection that also holds it are two lists, not
    one. A delta file joins the export whose datasets it shares; a file naming no dataset
    stands for itself.
    """
    if len(paths) < 2:
        return
    by_file = graph.file_datasets()
    # (datasets, file names, the dataset set of its exports if it has any)
    groups: list[tuple[set[str], list[str], frozenset[str] | None]] = []
    for index, path in enumerate(paths):
        datasets = by_file.get(index) or {_stem_source(path)}
        export = None if _is_delta(path) else frozenset(datasets)
        joined = [g for g in groups if _belongs(g[0], g[2], datasets, export)]
        merged = (set(datasets), [path.name], export)
        for group in joined:
            merged[0].update(group[0])
            merged[1].extend(group[1])
            merged = (merged[0], merged[1], merged[2] or group[2])
            groups.remove(group)
        groups.append(merged)
    if len(groups) > 1:
        parts = "; ".join(
            f"{', '.join(sorted(names))} ({', '.join(sorted(datasets)[:3])}"
            f"{', ...' if len(datasets) > 3 else ''})"
            for datasets, names, _ in groups
        )
        raise SourceError(
            f"{paths[0].parent.name}: holds {len(groups)} different FtM datasets: {parts}; "
            "each dataset is its own list: import its files on their own"
        )


class _Entities(Collection[Entity]):
    """The read's entities: counted up front, built from the scratch table on each pass."""

    def __init__(self, graph: Graph, source: str) -> None:
        self._graph = graph
        self._source = source
        self._count = graph.count()

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Entity]:
        return self._graph.entities(self._source)

    def serialised(self, serialise: Callable[[Entity], T]) -> Iterator[T]:
        """`serialise` of every entity, in order, run by worker processes for a large file."""
        return self._graph.serialised(self._source, serialise)

    def __bool__(self) -> bool:
        return self._count > 0

    def __contains__(self, item: object) -> bool:
        return any(item == entity for entity in self)


def read(paths: Sequence[Path]) -> ListRead:
    graph = Graph()
    for index, path in enumerate(paths):
        _load(path, index, graph)
    graph.finish()
    _check_one_dataset(paths, graph)
    source = _source_name(paths, graph)
    stats: dict[str, Any] = graph.stats()
    stats["duplicate_ids"] = graph.duplicate_count
    stats["duplicates"] = graph.duplicates
    return ListRead(
        source=source,
        format=FORMAT,
        published=graph.published(),
        files={p.name: sha256_file(p) for p in paths},
        entities=_Entities(graph, source),
        title=f"FollowTheMoney entities ({source})",
        stats=stats,
    )

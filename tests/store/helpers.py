"""Entities built by hand, so the store is tested without depending on any reader."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from tradescreen.model import Entity, Name
from tradescreen.sources.base import ListRead


def entity(
    source_id: str, name: str, *, program: str = "SDGT", source: str = "test_list"
) -> Entity:
    return Entity(
        source=source,
        source_id=source_id,
        schema="Organization",
        names=(Name(name), Name(f"{name} alias", kind="alias", strength="weak")),
        programs=(program,),
        properties={"note": ("x",)},
    )


def list_read(
    entities: Iterable[Entity], *, published: str = "2024-05-03", source: str = "test_list"
) -> ListRead:
    return ListRead(
        source=source,
        format="test",
        published=published,
        files={"list.csv": "0" * 64},
        entities=entities,
        title="Test list",
    )


class FixedClock:
    """Deterministic import times: each call is one minute after the previous one."""

    def __init__(self) -> None:
        self.minute = 0

    def __call__(self) -> datetime:
        self.minute += 1
        return datetime(2024, 5, 3, 12, self.minute % 60, tzinfo=UTC)

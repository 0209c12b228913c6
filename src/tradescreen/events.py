"""What happened, for the record: small event values emitted after the fact.

Every edge (CLI, API, batch) reports what it did as an `Event` to an `EventSink`; the cases
package turns them into the hash-chained audit log. Pure data: nothing here touches storage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Event:
    # import | screening | transaction | alert | decision | approval | suppression |
    # key_created | key_revoked | purge | ...
    kind: str
    actor: str  # user or API key name ("cli:<os user>", "key:<name>")
    subject: str  # what it is about: a snapshot id, a query digest, a case id
    data: dict[str, Any] = field(default_factory=dict)
    snapshots: tuple[str, ...] = ()  # list snapshots in force when it happened


class EventSink(Protocol):
    def emit(self, event: Event) -> None: ...


class NullSink:
    """Discards events (pure library use, tests that do not look at the record)."""

    def emit(self, event: Event) -> None:
        return None


class MemorySink:
    """Keeps events in a list (tests, batching)."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def emit(self, event: Event) -> None:
        self.events.append(event)

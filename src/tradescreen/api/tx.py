"""/screen-tx on tradescreen.screen.tx: the reference data and policy load once per index."""

from __future__ import annotations

import threading
from typing import Any

from tradescreen.api.errors import ApiError
from tradescreen.api.state import ApiState
from tradescreen.screen.party import Screener

_LOCK = threading.Lock()
_LOADED: dict[int, tuple[Screener, Any, Any, dict[str, str]]] = {}


def _reference(state: ApiState, screener: Screener) -> tuple[Any, Any, dict[str, str]]:
    from tradescreen.controls.snapshots import load_controls
    from tradescreen.screen.policy import load_policy

    with _LOCK:
        hit = _LOADED.get(id(state))
        if hit is None or hit[0] is not screener:
            try:
                reference = load_controls(state.settings.home)
                policy = load_policy(None)
            except Exception as exc:  # no controls imported, unreadable policy
                raise ApiError(503, f"transaction screening unavailable: {exc}") from None
            titles = {s.source: s.title for s in state.snapshots.values() if s.title}
            hit = _LOADED[id(state)] = (screener, reference, policy, titles)
    return hit[1], hit[2], hit[3]


def screen_transaction(
    state: ApiState, screener: Screener, body: dict[str, Any], actor: str
) -> dict[str, Any]:
    """Screen one transaction; its "transaction" audit event goes to the API's sink."""
    from tradescreen.screen.tx import TxScreener
    from tradescreen.screen.tx_model import TxInputError, parse_transaction

    reference, policy, titles = _reference(state, screener)
    try:
        tx = parse_transaction(body)
    except TxInputError as exc:
        raise ApiError(422, str(exc)) from None

    def relations(record: Any) -> tuple[Any, ...]:
        entity = state.store().entity(record.snapshot, record.source_id)
        return entity.relations if entity is not None else ()

    tx_screener = TxScreener(screener, reference, policy, relations=relations,
                             sink=state.sink, list_titles=titles, actor=actor)
    try:
        return tx_screener.screen(tx).to_dict()
    except ApiError:
        raise
    except Exception as exc:
        if type(exc).__name__ == "TxInputError":
            raise ApiError(422, str(exc)) from None
        raise

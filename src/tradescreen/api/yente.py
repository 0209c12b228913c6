"""yente-compatible endpoints: /match, /search, /entities, /catalog, /algorithms.

Paths, parameters and shapes follow yente 5 (yente/routers/match.py, search.py, admin.py) so a
client written for yente works unchanged; differences are documented in the README.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from tradescreen.api import models
from tradescreen.api.auth import Caller, require
from tradescreen.api.common import (
    dataset_scope,
    digest,
    json_response,
    screener_of,
    sources_of,
    state_of,
)
from tradescreen.api.errors import ApiError
from tradescreen.api.ftm_query import QUERY_SCHEMAS, QueryError, QueryInvalid, parse_example
from tradescreen.api.inputs import InvalidValue, check_text
from tradescreen.api.listing import Filters, filter_records, list_all
from tradescreen.api.matching import (
    ALGORITHM,
    ALGORITHM_NAMES,
    YENTE_ALGORITHMS,
    MatchOptions,
    audit_result,
    entity_json,
    feature_docs,
    match_example,
    party_json,
)
from tradescreen.events import Event
from tradescreen.match.entity import Query as ScreenQuery
from tradescreen.screen.party import query_to_dict

router = APIRouter()
ERRORS = {**models.KEY_ERRORS, **models.error_responses(400, 404, 413, 422, 503)}
DatasetPath = Annotated[str, Path(description="`default` (all lists) or one list's name",
                                  examples=["default"], max_length=100)]
ListParam = Annotated[list[str], Query(max_length=50)]
# None rather than []: FastAPI deep-copies a mutable default on every request (the hot path).
OptList = Annotated[list[str] | None, Query(max_length=50)]
DESCRIPTION = (
    "tradescreen's scoring model: aligned name tokens (transliteration, typos, legal forms, "
    "token rarity) plus birth date, country, identifier and schema evidence, summed as "
    "log-odds. yente's algorithm names are accepted and scored by this model."
)


def _algorithm(name: str) -> str:
    if name.strip().lower() not in ALGORITHM_NAMES:
        raise ApiError(400, f"Invalid algorithm: {name}")
    return ALGORITHM


@router.post("/match/{dataset}", tags=["Matching"], summary="Query by example matcher",
             response_model=models.EntityMatchResponse, responses=ERRORS)
async def match(
    request: Request,
    body: models.EntityMatchQuery,
    dataset: DatasetPath,
    caller: Annotated[Caller, Depends(require("screen"))],
    limit: Annotated[int, Query(ge=0, le=500)] = 5,
    threshold: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
    cutoff: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
    algorithm: Annotated[str, Query(max_length=50)] = "best",
    include_dataset: OptList = None,
    exclude_schema: OptList = None,
    exclude_dataset: OptList = None,
    topics: OptList = None,
    changed_since: Annotated[str | None, Query(
        pattern=r"^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?$")] = None,
    exclude_entity_ids: OptList = None,
) -> Response:
    """Match entities (Person, Company, Vessel, ...) given as FtM examples, yente's `/match`.

    `threshold` (default: the match threshold, 0.7) sets each result's `match`; `cutoff`
    (default: the review threshold, 0.5) drops weaker candidates. `changed_since` is accepted
    and ignored (every active list entry is current). Every name of a query is scored; a query
    with over 50 values in a property or 50 distinct names, or a value that cannot be read
    (a date, a country, a control character), is refused with a 422 naming it.
    """
    state = state_of(request)
    screener = screener_of(state)
    algo = _algorithm(algorithm)
    include_dataset, exclude_dataset = include_dataset or [], exclude_dataset or []
    exclude_schema, topics = exclude_schema or [], topics or []
    exclude_entity_ids = exclude_entity_ids or []
    scope = dataset_scope(state, dataset, include_dataset)
    for key in body.config:
        raise ApiError(400, f"Invalid configuration parameter: {key} for algorithm {algo}")
    if len(body.queries) > state.config.max_batch:
        # 422 like every other over-the-limit request (issue 14): refused whole, never cut.
        raise ApiError(
            422, f"Too many queries in one batch: {len(body.queries)}; the limit is "
            f"{state.config.max_batch}"
        )
    if not body.queries:
        raise ApiError(400, "No queries provided.")
    threshold = state.settings.match_threshold if threshold is None else threshold
    cutoff = state.settings.review_threshold if cutoff is None else cutoff
    opts = MatchOptions(
        limit=limit, threshold=threshold, cutoff=min(cutoff, threshold), sources=scope,
        exclude_sources=set(exclude_dataset), exclude_schemata=set(exclude_schema),
        exclude_ids=set(exclude_entity_ids), topics=set(topics),
    )
    parsed = {}
    for name, example in body.queries.items():
        try:
            parsed[name] = parse_example(example.schema_, example.properties,
                                         state.config.max_values)
        except QueryInvalid as exc:
            raise ApiError(422, f"queries.{name}.{exc}") from None
        except QueryError as exc:
            raise ApiError(400, str(exc)) from None

    def run() -> dict[str, Any]:
        return {name: match_example(state, screener, p, body.queries[name].id, opts)
                for name, p in parsed.items()}

    # One name is a few milliseconds: run it here. More go to a thread so health checks and
    # short requests on this worker are not stuck behind them.
    names = sum(len(p.queries) for p in parsed.values())
    done = run() if names <= 2 else await run_in_threadpool(run)
    params = {"dataset": dataset, "limit": limit, "threshold": threshold, "cutoff": cutoff,
              "algorithm": algorithm, "include_dataset": include_dataset,
              "exclude_dataset": exclude_dataset, "exclude_schema": exclude_schema,
              "topics": topics, "exclude_entity_ids": exclude_entity_ids}
    # The audit log's shape (tradescreen.cases): one screening per query, keyed by its name.
    state.emit(Event(
        kind="screening",
        actor=caller.actor,
        subject=digest("/match", params, body.model_dump(by_alias=True)),
        data={
            "endpoint": f"/match/{dataset}",
            "params": params,
            "screenings": [
                {"row": name, "query": query_to_dict(parsed[name].queries[0]),
                 "names": [q.name for q in parsed[name].queries],
                 "results": [audit_result(r) for r in found]}
                for name, (_, found) in done.items()
            ],
        },
        snapshots=tuple(screener.index.snapshots),
    ))
    responses = {name: resp for name, (resp, _) in done.items()}
    return json_response(
        {"responses": responses, "matcher": _matcher(), "limit": limit},
        headers={"x-batch-size": str(len(responses))},
    )


def _matcher() -> dict[str, Any]:
    return {"name": ALGORITHM, "description": DESCRIPTION, "features": _docs()}


_DOCS: dict[str, Any] = {}


def _docs() -> dict[str, Any]:
    if not _DOCS:
        _DOCS.update(feature_docs())
    return _DOCS


# yente's schema filter means "this type or any type that extends it".
_DESCENDANTS = {
    "Thing": None,
    "LegalEntity": {"LegalEntity", "Person", "Company", "Organization"},
    "Organization": {"Organization", "Company"},
    "Company": {"Company"},
    "PublicBody": {"Organization"},
    "Person": {"Person"},
    "Vessel": {"Vessel"},
    "Airplane": {"Aircraft"},
}


@router.get("/search/{dataset}", tags=["Matching"], summary="Simple entity search",
            response_model=models.SearchResponse, responses=ERRORS)
async def search(
    request: Request,
    dataset: DatasetPath,
    caller: Annotated[Caller, Depends(require("screen"))],
    q: Annotated[str, Query(max_length=1000)] = "",
    schema: Annotated[str, Query(max_length=40)] = "Thing",
    include_dataset: OptList = None,
    exclude_dataset: ListParam = [],  # noqa: B006
    exclude_schema: ListParam = [],  # noqa: B006
    countries: ListParam = [],  # noqa: B006
    topics: ListParam = [],  # noqa: B006
    datasets: ListParam = [],  # noqa: B006
    limit: Annotated[int, Query(ge=0, le=500)] = 10,
    offset: Annotated[int, Query(ge=0, le=9499)] = 0,
) -> Response:
    """Search by a name (any script), best first, yente's `/search`. Without `q`, list entries."""
    state = state_of(request)
    screener = screener_of(state)
    scope = dataset_scope(state, dataset, include_dataset or [])
    try:
        check_text(q, "q")
    except InvalidValue as exc:
        raise ApiError(422, str(exc)) from None
    if schema not in _DESCENDANTS:
        raise ApiError(400, "Invalid schema")
    kinds = _DESCENDANTS[schema]
    filters = Filters(
        scope=None if scope is None else frozenset(scope),
        exclude_dataset=frozenset(exclude_dataset),
        kinds=None if kinds is None else frozenset(kinds),
        exclude_schema=frozenset(exclude_schema),
        countries=frozenset(c.lower() for c in countries),
        topics=frozenset(topics),
        datasets=frozenset(datasets),
    )
    others: dict[str, list[Any]] = {}  # a lead's id -> every listing of its party in scope
    if q.strip():
        query_schema = QUERY_SCHEMAS.get(schema, "Thing")
        # One entry per listed party, as /match: its strongest listing that the filters keep
        # leads (the next one when the strongest is on a list filtered out).
        hits = []
        for found in screener.screen(ScreenQuery(q, query_schema), limit=10**9):
            kept = [li.record for li in found.listings if filters.keep(li.record)]
            if kept:
                hits.append(kept[0])
                others[kept[0].id] = kept
        listing = filter_records(hits, filters, offset, limit)
    else:
        listing = list_all(screener.index, filters, offset, limit)
    page = listing.page
    if q.strip():
        # Not a screening (no decisions): recorded, but raises no alerts.
        state.emit(Event(
            kind="search", actor=caller.actor,
            subject=digest("/search", dataset, q, schema, offset, limit),
            data={"endpoint": f"/search/{dataset}", "q": q, "schema": schema,
                  "results": [{"id": r.id, "caption": r.caption, "snapshot": r.snapshot}
                              for r in page]},
            snapshots=tuple(screener.index.snapshots),
        ))
    return json_response({
        "results": [party_json(state, r, others.get(r.id, ())) for r in page],
        "facets": listing.facets,
        "total": {"value": listing.total, "relation": "eq"},
        "limit": limit,
        "offset": offset,
    })


@router.get("/entities/{entity_id}", tags=["Data access"], response_model=models.EntityResponse,
            responses=ERRORS)
async def fetch_entity(
    request: Request,
    entity_id: Annotated[str, Path(max_length=300, examples=["us-ofac-sdn-16418"])],
    _caller: Annotated[Caller, Depends(require("read"))],
    nested: bool = True,
) -> Response:
    """A listed entity by its id (as in `/match` results), with all its FtM properties."""
    state = state_of(request)
    screener_of(state)
    record = state.record_by_id(entity_id)
    if record is None:
        raise ApiError(404, "No such entity!")
    return json_response(entity_json(state, record))


@router.get("/catalog", tags=["Data access"], summary="Data catalog",
            response_model=models.DataCatalogModel, responses=ERRORS)
async def catalog(
    request: Request, _caller: Annotated[Caller, Depends(require("read"))]
) -> Response:
    """The lists served: one dataset per list (version = its snapshot id) and `default`."""
    state = state_of(request)
    screener = screener_of(state)
    loaded = set(screener.index.snapshots)
    active = await run_in_threadpool(lambda: state.store().active_snapshots())
    datasets, current, outdated = [], [], []
    for snap in active:
        in_index = snap.id in loaded
        indexed = snap.id if in_index else next(
            (s for s in loaded if state.snapshots.get(s) and
             state.snapshots[s].source == snap.source), None)
        datasets.append({
            "name": snap.source, "title": snap.title or snap.source, "summary": None,
            "version": snap.id, "updated_at": snap.published or snap.imported_at,
            "last_export": snap.imported_at, "entity_count": snap.entity_count,
            "thing_count": snap.entity_count, "load": True, "index_version": indexed,
            "index_current": in_index, "children": [], "tags": ["list.sanction"],
            "deprecated": False,
        })
        (current if in_index else outdated).append(snap.source)
    datasets.append({
        "name": "default", "title": "All active lists", "summary": None,
        "version": "-".join(sorted(loaded))[:200] or None, "updated_at": None,
        "last_export": None, "entity_count": len(screener.index.records),
        "thing_count": len(screener.index.records), "load": True,
        "index_version": None, "index_current": not outdated,
        "children": sources_of(state), "tags": ["collection"], "deprecated": False,
    })
    return json_response({"datasets": datasets, "current": current, "outdated": outdated,
                          "index_stale": bool(outdated)})


@router.get("/algorithms", tags=["System information"],
            response_model=models.AlgorithmResponse, responses=ERRORS)
async def algorithms(
    _caller: Annotated[Caller, Depends(require("read"))]
) -> Response:
    """The scoring model, and yente's algorithm names, accepted as aliases of it."""
    docs = {"name": ALGORITHM, "description": DESCRIPTION, "config": {}, "features": _docs()}
    algos = [{"name": ALGORITHM, "description": DESCRIPTION, "features": _docs(), "docs": docs}]
    for name in YENTE_ALGORITHMS:
        text = f"yente's name, accepted for compatibility: scored by {ALGORITHM}"
        algos.append({"name": name, "description": text, "features": _docs(),
                      "docs": {**docs, "name": name, "description": text}})
    return json_response({"algorithms": algos, "default": "best", "best": ALGORITHM})

"""Request and response models, yente's shapes field for field (yente/data/common.py, 5.x).

Responses are serialised by hand (orjson) for speed; these models document them in the
OpenAPI spec and validate requests. `features` (yente 3/4) and `explanations` (yente 5) are
both given so clients of either generation read a result unchanged.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from tradescreen.api.inputs import InvalidValue, check_date, check_text


class ErrorResponse(BaseModel):
    detail: Any = Field(..., examples=["Detailed error message"],
                        description="why: a sentence, or a list of {loc, msg, type} for a "
                                    "body that does not fit the schema")


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses, all `{"detail": ...}`."""
    return {code: {"model": ErrorResponse} for code in codes}


# Refused by limits.py before any route runs: malformed URL or JSON, too large, not JSON, NUL.
REQUEST_ERRORS = error_responses(400, 413, 414, 415, 422)
# Refused by the API-key dependency: no or unknown key, missing scope, over the key's rate.
KEY_ERRORS = error_responses(401, 403, 429)


class StatusResponse(BaseModel):
    status: str = "ok"


class TotalSpec(BaseModel):
    value: int
    relation: str = "eq"


class EntityResponse(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(..., examples=["us-ofac-sdn-16418"])
    caption: str
    schema_: str = Field(..., alias="schema")
    properties: dict[str, list[Any]]
    datasets: list[str] = []
    referents: list[str] = []
    target: bool = False
    first_seen: str | None = None
    last_seen: str | None = None
    last_change: str | None = None


class FeatureResult(BaseModel):
    score: float
    detail: str | None = None
    query: str | None = None
    candidate: str | None = None


class ScoredEntityResponse(EntityResponse):
    score: float
    match: bool
    features: dict[str, float] = Field(
        {}, description="Contribution of each feature to the score (log-odds), by name.")
    explanations: dict[str, FeatureResult] = {}
    tradescreen: dict[str, Any] = Field(
        {}, description="tradescreen's own result: decision, snapshot, matched name, "
                        "explanation rows.")


class EntityExample(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str | None = Field(None, max_length=200, examples=["my-entity-id"])
    schema_: str = Field(..., alias="schema", max_length=100, examples=["Person"])
    properties: dict[str, str | int | float | list[Any]] = Field(
        ..., examples=[{"name": ["John Doe"], "birthDate": ["1975-04-21"]}])


class EntityMatchQuery(BaseModel):
    weights: dict[str, float] = Field({}, examples=[{}])
    config: dict[str, str | int | float | bool | None] = Field(default_factory=dict)
    queries: dict[str, EntityExample]


class EntityMatches(BaseModel):
    status: int = 200
    results: list[ScoredEntityResponse]
    total: TotalSpec
    query: dict[str, Any]


class MatcherInfo(BaseModel):
    name: str
    description: str | None = None
    features: dict[str, Any] = {}


class EntityMatchResponse(BaseModel):
    responses: dict[str, EntityMatches]
    matcher: MatcherInfo
    limit: int


class SearchResponse(BaseModel):
    results: list[EntityResponse]
    facets: dict[str, Any] = {}
    total: TotalSpec
    limit: int
    offset: int = 0


class DatasetModel(BaseModel):
    name: str
    title: str
    summary: str | None = None
    version: str | None = None
    updated_at: str | None = None
    last_export: str | None = None
    entity_count: int | None = None
    thing_count: int | None = None
    load: bool = True
    index_version: str | None = None
    index_current: bool = True
    children: list[str] = []
    tags: list[str] = []
    deprecated: bool = False


class DataCatalogModel(BaseModel):
    datasets: list[DatasetModel]
    current: list[str]
    outdated: list[str]
    index_stale: bool = False


class Algorithm(BaseModel):
    name: str
    description: str | None = None
    features: dict[str, Any]
    docs: dict[str, Any]


class AlgorithmResponse(BaseModel):
    algorithms: list[Algorithm]
    default: str
    best: str


class ScreenRequest(BaseModel):
    name: str = Field("", max_length=1000, examples=["Qods Aviation Industry"])
    schema_: str | None = Field(None, alias="schema", max_length=40, examples=["Company"])
    birth_date: str | None = Field(None, max_length=10, examples=["1975-04-21"],
                                   description="YYYY, YYYY-MM or YYYY-MM-DD")
    country: str | None = Field(None, max_length=100, examples=["ir"])
    countries: list[str] = Field([], max_length=20)
    identifiers: list[str] = Field([], max_length=20)
    limit: int = Field(10, ge=1, le=100)

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    @field_validator("name", "schema_", "country")
    @classmethod
    def _text(cls, value: str | None, info: ValidationInfo) -> str | None:
        return value if value is None else _checked(check_text, value, info.field_name)

    @field_validator("countries", "identifiers")
    @classmethod
    def _texts(cls, values: list[str], info: ValidationInfo) -> list[str]:
        return [_checked(check_text, v, f"{info.field_name}[{i}]") for i, v in enumerate(values)]

    @field_validator("birth_date")
    @classmethod
    def _date(cls, value: str | None) -> str | None:
        return value if not value or not value.strip() else _checked(check_date, value,
                                                                     "birth_date")


def _checked(check: Any, value: str, field: str | None) -> str:
    # pydantic turns a ValueError into a 422 naming the field; the message says why.
    try:
        return str(check(value, field or "value"))
    except InvalidValue as exc:
        raise ValueError(str(exc)) from None


class ScreenResponse(BaseModel):
    query: dict[str, Any]
    results: list[dict[str, Any]]
    snapshots: list[str]


class ListsResponse(BaseModel):
    lists: list[dict[str, Any]]
    index_snapshots: list[str]
    stale: bool

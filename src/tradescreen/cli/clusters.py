"""`tradescreen lists clusters`: the listed parties that consolidation formed, and splitting one.

A cluster is one party listed on several lists; every merge shows the evidence that made it.
`lists clusters split PARTY --move SOURCE:ID --reason TEXT` separates listings an analyst finds
are another party: kept in the store by list ids (so it survives list updates), applied to every
index, audited, and it needs an API key with the cases scope like every case decision.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tradescreen.cli.audit import acting_user, open_log
from tradescreen.cli.lists import JsonOpt, lists_app
from tradescreen.cli.output import errors as _errors
from tradescreen.cli.output import out as _out
from tradescreen.cli.output import print_json as _print_json
from tradescreen.config import load_settings

clusters_app = typer.Typer(
    help="Listed parties on several lists (consolidation): show them, split a wrong merge.",
)
lists_app.add_typer(clusters_app, name="clusters")

KeyOpt = Annotated[
    str | None,
    typer.Option("--key", help="Your API key with the cases scope (default: "
                 "$TRADESCREEN_API_KEY); its name is the acting user."),
]


def _clusters(source: str | None) -> list[dict[str, Any]]:
    from tradescreen.index.cache import load_index
    from tradescreen.index.clusters import party_key
    from tradescreen.store import StoreError, open_store

    with open_store(load_settings()) as store:
        if not store.active_snapshots():
            raise StoreError("no lists imported yet: run `tradescreen lists import PATH` first")
        index = load_index(store, load_settings().index_dir)
    out = []
    for item in index.parties:
        ids = item["ids"]
        if len(ids) < 2:
            continue
        if source is not None and not any(i.split(":", 1)[0] == source for i in ids):
            continue
        records = [index.records[pos] for pos in item["members"]]
        id_of = dict(zip(item["members"], ids, strict=True))
        out.append({
            "party": party_key(ids),
            "size": len(ids),
            "members": [{"id": r.id, "source": r.source, "source_id": r.source_id,
                         "caption": r.caption, "schema": r.schema, "list": lst}
                        for r, lst in zip(records, item["lists"], strict=True)],
            "evidence": [{"a": id_of[a], "b": id_of[b], "kind": kind, "evidence": text}
                         for a, b, kind, text in item["links"]],
            "split": bool(item.get("split")),
        })
    out.sort(key=lambda c: c["party"])
    return out


@clusters_app.callback(invoke_without_command=True)
@_errors
def clusters(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option(
        "--source", help="Only parties with a listing on this list (e.g. us_ofac_sdn).")] = None,
    json_output: JsonOpt = False,
) -> None:
    """Show the listed parties on several lists: their listings and the evidence of each merge."""
    if ctx.invoked_subcommand is not None:
        return
    found = _clusters(source)
    if json_output:
        _print_json(found)
        return
    out = _out()
    for c in found:
        out.print(f"{c['party']}  ({c['size']} listings{', split' if c['split'] else ''})",
                  markup=False)
        for m in c["members"]:
            out.print(f"  {m['id']:<40} {m['caption']}", markup=False)
        for e in c["evidence"]:
            out.print(f"    {e['kind']:<10} {e['a']} = {e['b']}: {e['evidence']}", markup=False)
    out.print(f"{len(found)} listed parties on several lists", markup=False)


@clusters_app.command("split")
@_errors
def split(
    party: Annotated[str, typer.Argument(
        help="The party: its key (party:SOURCE:ID) or any of its listings (SOURCE:ID).")],
    move: Annotated[list[str], typer.Option(
        "--move", help="A listing (SOURCE:ID) that is another party; repeat for several. "
        "The listings moved stay together, apart from the rest.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (mandatory, audited).")],
    key: KeyOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Split a wrong merge: the listings moved are kept apart from the rest of the party on
    every later index, whatever list updates bring."""
    from tradescreen.cases.audit import iso
    from tradescreen.consolidate.splits import SplitError, add_split, plan_split

    settings = load_settings()
    actor = acting_user(settings, key, None, "cases")
    wanted = party.removeprefix("party:")
    match = next((c for c in _clusters(None)
                  if c["party"] == party or wanted in {m["id"] for m in c["members"]}), None)
    if match is None:
        raise SplitError(f"{party} is not a listed party on several lists "
                         "(see `tradescreen lists clusters`)")
    member_ids = [m["id"] for m in match["members"]]
    moved, others = plan_split(match["party"], member_ids, move)
    sink, log = open_log(settings)
    with sink, log.db.write():
        made = add_split(log.db, iso(log.clock()), actor, reason, match["party"], moved, others)
        log.append("cluster_split", actor, match["party"], {
            **made.to_dict(), "evidence": match["evidence"],
        })
    if json_output:
        _print_json(made.to_dict())
        return
    _out().print(f"split {made.id}: {', '.join(moved)} kept apart from {', '.join(others)}",
                 markup=False)


@clusters_app.command("splits")
@_errors
def splits(json_output: JsonOpt = False) -> None:
    """Show the analysts' splits in force (oldest first)."""
    from tradescreen.consolidate.splits import list_splits
    from tradescreen.store import open_store

    with open_store(load_settings()) as store:
        found = [s.to_dict() for s in list_splits(store.db)]
    if json_output:
        _print_json(found)
        return
    for s in found:
        _out().print(f"{s['id']}  {s['created_at']}  {s['actor']}  {s['party']}: "
                     f"{', '.join(s['moved'])} | {', '.join(s['others'])}  ({s['reason']})",
                     markup=False)

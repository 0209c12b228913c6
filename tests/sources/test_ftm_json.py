"""FtM JSON-lines reader on the OpenSanctions samples (entity export and delta format)."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path

import orjson
import pytest

from tradescreen.sources import detect, ftm_json, limits, read
from tradescreen.sources.base import SourceError
from tradescreen.store.snapshots import content_hash
from tradescreen.store.staging import serialise


@pytest.fixture(scope="module")
def yente(data_dir: Path) -> Path:
    return data_dir / "opensanctions" / "yente_fixtures"


def _by_caption(result, caption: str):
    return next(e for e in result.entities if e.caption == caption)


def test_t1_all_six_entities_are_screenable(yente: Path) -> None:
    # 7 lines: 4 Person + 2 Organization + 1 Address (folded into its owner, not an entity).
    result = read(yente / "t1_entities.ftm.json")
    assert result.format == "ftm_json"
    assert result.source == "os_eu_fsf"  # every line shares the one dataset
    assert result.published == "2024-06-01"
    assert len(result.entities) == 6
    assert {e.schema for e in result.entities} == {"Person", "Organization"}
    kuzmenko = _by_caption(result, "Vitaly Yurievich KUZMENKO")
    assert kuzmenko.source_id == "NK-2Ka3UvopqbpZmVDFjWd4LA"
    assert kuzmenko.names[0].value == "Vitaly Yurievich KUZMENKO"
    assert "Виталий Юрьевич КУЗЬМЕНКО" in {n.value for n in kuzmenko.names}
    assert [d.iso for d in kuzmenko.birth_dates] == ["1971-01-22"]
    assert kuzmenko.nationalities == ("ru",)
    assert ("tax", "366510784303") in {(i.scheme, i.value) for i in kuzmenko.identifiers}
    assert kuzmenko.listed_on == "2024-02-23"


def test_t1_lines_keep_their_own_fields(yente: Path) -> None:
    result = read(yente / "t1_entities.ftm.json")
    tobacco = _by_caption(result, "RAB „Inter Tobacco“")
    assert tobacco.countries == ("by",)
    assert tobacco.remarks == "Belarus (Minsk Free Economic Zone)"
    assert ("registration", "808000714") in {(i.scheme, i.value) for i in tobacco.identifiers}
    # Its addressEntity points at a line not in this sample: no address is invented.
    assert tobacco.addresses == ()


def test_address_entities_resolve_by_id_and_referent(tmp_path: Path) -> None:
    path = tmp_path / "addr.ftm.json"
    path.write_text(
        '{"id": "c1", "schema": "Company", "properties": {"name": ["Acme"], '
        '"addressEntity": ["addr-old"]}}\n'
        '{"id": "a1", "schema": "Address", "referents": ["addr-old"], "properties": '
        '{"full": ["1 Main St, Minsk"], "city": ["Minsk"], "country": ["by"]}}\n',
        encoding="utf-8",
    )
    (acme,) = ftm_json.read([path]).entities
    assert [(a.full, a.city, a.country) for a in acme.addresses] == [
        ("1 Main St, Minsk", "Minsk", "by")
    ]


def test_zala_graph_folds_into_screenable_entities(yente: Path) -> None:
    result = read(yente / "zala_entities.ftm.json")
    # 91 lines: 6 Person + 11 Company are screenable; 41 Sanction, 14 Ownership, 11 Address,
    # 4 Family, 3 Directorship and 1 Passport are folded into them.
    assert len(result.entities) == 17
    assert result.source == "os_zala"  # mixed datasets, so the file stem names the source
    assert result.published == "2026-04-29"
    osetrova = _by_caption(result, "Maria Aleksandrovna Osetrova")
    names = {n.value for n in osetrova.names}
    assert {"Мария Александровна Осетрова", "Захарова Марія Олександрівна",
            "Mariya Aleksandrovna ZAKHAROVA"} <= names
    assert [d.iso for d in osetrova.birth_dates] == ["1988-01-07"]
    assert ("inn", "183116181362") in {(i.scheme, i.value) for i in osetrova.identifiers}
    assert "GB-RUS" in osetrova.programs  # from her Sanction entities
    family = [r for r in osetrova.relations if r.kind == "family"]
    assert [r.target_name for r in family] == ["Alexander Vyacheslavovich ZAKHAROV"]


def test_zala_ownership_share_and_direction(yente: Path) -> None:
    result = read(yente / "zala_entities.ftm.json")
    cst = _by_caption(result, "LLC CST")
    owners = {(r.target_name, r.share) for r in cst.relations if r.kind == "owner"}
    assert ("JSC Kalashnikov Concern", 0.49) in owners
    zakharov = _by_caption(result, "Alexander Vyacheslavovich ZAKHAROV")
    held = {r.target_id: r.share for r in zakharov.relations if r.kind == "subsidiary"}
    assert held["NK-iE6m5ryPeTAMZozfECVSL7"] == 1.0  # 100 % of LLC Aeroscan
    assert any(r.kind == "linked_to" and r.target_name == "LLC CST" for r in zakharov.relations)
    assert any(r.kind == "director" for r in cst.relations)


def test_delta_file_adds(yente: Path) -> None:
    path = yente / "t2_20240527194702_entities.delta.json"
    assert detect([path]) == "ftm_json"
    result = read(path)
    assert result.source == "os_t2"
    assert [e.caption for e in result.entities] == ["AL-QAIDA IN IRAQ", "Janan Agha"]
    aqi = next(iter(result.entities))
    assert {"تنظيم القاعدة في العراق", "ISIS"} <= {n.value for n in aqi.names}
    assert any(n.strength == "weak" for n in aqi.names)


def test_delta_ops_apply_in_order(tmp_path: Path) -> None:
    path = tmp_path / "x.delta.json"
    path.write_text(
        '{"op": "ADD", "entity": {"id": "a", "schema": "Person", "properties": {"name": ["A"]}}}\n'
        '{"op": "ADD", "entity": {"id": "b", "schema": "Company", "properties": {"name": ["B"]}}}\n'
        '{"op": "MOD", "entity": {"id": "a", "schema": "Person", "properties": {"name": ["A2"]}}}\n'
        '{"op": "DEL", "entity": {"id": "b"}}\n',
        encoding="utf-8",
    )
    result = ftm_json.read([path])
    assert [(e.source_id, e.caption) for e in result.entities] == [("a", "A2")]


def test_bad_json_line_names_the_line(tmp_path: Path, yente: Path) -> None:
    lines = (yente / "t1_entities.ftm.json").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2][:50]
    path = tmp_path / "broken.ftm.json"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(SourceError, match="line 3"):
        read(path)


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "empty"),
        ("[1, 2]\n", "JSON object"),
        ('{"schema": "Person", "properties": {}}\n', "without an id"),
        ('{"op": "FOO", "entity": {"id": "x"}}\n', "delta"),
    ],
)
def test_malformed_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SourceError, match=message):
        ftm_json.read([path])


def _write_lines(path: Path, *entities: dict) -> Path:
    path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in entities))
    return path


def test_people_given_only_as_name_parts_are_kept(tmp_path: Path) -> None:
    # Lines as some OpenSanctions crawlers publish them: parts, no `name`. Each is screenable.
    path = _write_lines(
        tmp_path / "parts.ftm.json",
        {"id": "p1", "schema": "Person", "properties": {
            "firstName": ["Ivan"], "fatherName": ["Petrovich"], "lastName": ["Sidorov"]}},
        {"id": "p2", "schema": "Person", "properties": {
            "firstName": ["Olena", "Elena"], "lastName": ["Kovalenko"], "birthDate": ["1970"]}},
        {"id": "p3", "schema": "Person", "properties": {"lastName": ["Zakharov"]}},
        {"id": "p4", "schema": "Person", "properties": {"nationality": ["ru"]}},
        {"id": "c1", "schema": "Company", "properties": {"name": ["Acme LLC"]}},
        {"id": "c2", "schema": "Company", "properties": {"country": ["ru"]}},
        {"id": "s1", "schema": "Sanction", "properties": {"entity": ["p1"], "program": ["X"]}},
        {"id": "e1", "schema": "Event", "properties": {"name": ["Annual meeting"]}},
    )
    result = ftm_json.read([path])
    names = {e.source_id: [n.value for n in e.names] for e in result.entities}
    assert names == {
        "p1": ["Ivan Petrovich Sidorov"],
        "p2": ["Olena Kovalenko", "Elena Kovalenko"],
        "p3": ["Zakharov"],
        "c1": ["Acme LLC"],
    }
    p1 = next(e for e in result.entities if e.source_id == "p1")
    assert p1.caption == "Ivan Petrovich Sidorov" and p1.programs == ("X",)
    assert result.stats["kept"] == {"Person": 3, "Company": 1}
    assert result.stats["named_from_parts"] == 3
    assert result.stats["folded"] == {"Sanction": 1}
    dropped = {(d["schema"], d["reason"]): (d["count"], d["ids"]) for d in result.stats["dropped"]}
    assert dropped == {
        ("Person", ftm_json.NO_NAME): (1, ["p4"]),
        ("Company", ftm_json.NO_NAME): (1, ["c2"]),
        ("Event", ftm_json.NOT_SCREENED): (1, ["e1"]),
    }


def test_counts_on_the_real_exports(yente: Path) -> None:
    zala = read(yente / "zala_entities.ftm.json").stats
    assert zala["kept"] == {"Company": 11, "Person": 6}
    assert zala["folded"] == {
        "Sanction": 41, "Ownership": 14, "Address": 11, "Family": 4, "Directorship": 3,
        "Passport": 1,
    }
    assert zala["dropped"] == [] and zala["named_from_parts"] == 0
    t1 = read(yente / "t1_entities.ftm.json").stats
    assert t1["kept"] == {"Person": 4, "Organization": 2} and t1["folded"] == {"Address": 1}


def test_real_people_stripped_to_their_parts_stay_screenable(yente: Path, tmp_path: Path) -> None:
    # The real zala people, with `name` and aliases removed: every one is still imported, under
    # the name its parts spell.
    people = []
    for line in (yente / "zala_entities.ftm.json").read_bytes().splitlines():
        data = orjson.loads(line)
        props = data["properties"]
        if data["schema"] == "Person" and props.get("firstName") and props.get("lastName"):
            for prop in ("name", "alias", "weakAlias", "previousName", "abbreviation"):
                props.pop(prop, None)
            data.pop("caption", None)
            people.append(data)
    assert len(people) >= 4
    result = ftm_json.read([_write_lines(tmp_path / "people.ftm.json", *people)])
    assert result.stats["kept"] == {"Person": len(people)}
    assert result.stats["named_from_parts"] == len(people)
    by_id = {e.source_id: e for e in result.entities}
    for data in people:
        first, last = data["properties"]["firstName"][0], data["properties"]["lastName"][0]
        values = [n.value for n in by_id[data["id"]].names]
        assert any(v.startswith(first) and v.endswith(last) for v in values), values


# Content hashes of what the reader gave before it streamed through a scratch table (read
# whole into memory, commit a71a252): the streaming reader must give exactly the same entities.
BEFORE_STREAMING = {
    "zala_entities.ftm.json": "958092d4a065f4100f1acdf6d1712fe1fa6d5f65a51e621d20f9cea5cf396320",
    "t1_entities.ftm.json": "30c18d789a1ed46b936819970c972fe97147c396ae2b96ed46c99fabed69a475",
    "t2_20240527194702_entities.delta.json":
        "73fb4c42d5159cddb46ae6fca3322f40d0c45e2e9ad72b4d8332b79ef109478f",
}


@pytest.mark.parametrize("name", sorted(BEFORE_STREAMING))
def test_streaming_reader_gives_the_same_entities(yente: Path, name: str) -> None:
    result = read(yente / name)
    assert not isinstance(result.entities, list)  # built from disk on demand
    # Since then the reader also keeps OpenSanctions' `referents` (cross-list ids); without
    # them the entities are the same as before.
    pairs = [(e.source_id, replace(e, properties={
        k: v for k, v in e.properties.items() if k != "referents"}).content_hash())
        for e in result.entities]
    assert len(pairs) == len(result.entities)
    assert content_hash(pairs) == BEFORE_STREAMING[name]
    # Re-iterable: a second pass builds the same entities again.
    assert [e.source_id for e in result.entities] == [p[0] for p in pairs]


def test_duplicate_ids_are_merged_as_fragments_and_reported(tmp_path: Path) -> None:
    path = _write_lines(
        tmp_path / "dup.ftm.json",
        {"id": "c1", "schema": "Company", "properties": {"name": ["Acme LLC"]}},
        {"id": "c2", "schema": "Company", "properties": {"name": ["Beta"]}},
        {"id": "c1", "schema": "Company", "properties": {"name": ["Acme LLC"],
                                                        "alias": ["Acme Trading"]}},
    )
    result = ftm_json.read([path])
    names = {e.source_id: [n.value for n in e.names] for e in result.entities}
    assert names == {"c1": ["Acme LLC", "Acme Trading"], "c2": ["Beta"]}
    assert result.stats["duplicate_ids"] == 1
    assert result.stats["duplicates"] == [
        {"id": "c1", "first": "dup.ftm.json:1", "again": "dup.ftm.json:3"}
    ]


def test_duplicate_id_with_another_schema_is_refused(tmp_path: Path) -> None:
    path = _write_lines(
        tmp_path / "dup.ftm.json",
        {"id": "x1", "schema": "Company", "properties": {"name": ["Acme LLC"]}},
        {"id": "x1", "schema": "Person", "properties": {"name": ["John Acme"]}},
    )
    with pytest.raises(SourceError, match=r"dup.ftm.json:2: FtM entity x1 is a Person"):
        ftm_json.read([path])


def test_every_line_twice_is_reported_line_by_line(yente: Path, tmp_path: Path) -> None:
    # The real export concatenated with itself: same 17 entities, 91 duplicates named.
    once = (yente / "zala_entities.ftm.json").read_bytes()
    path = tmp_path / "zala_entities.ftm.json"
    path.write_bytes(once + once)
    single = read(yente / "zala_entities.ftm.json")
    double = read(path)
    assert [e.to_json() for e in double.entities] == [e.to_json() for e in single.entities]
    assert double.stats["duplicate_ids"] == 91 == len(double.stats["duplicates"])
    assert double.stats["duplicates"][0]["again"] == "zala_entities.ftm.json:92"
    assert single.stats["duplicate_ids"] == 0


def test_delta_ops_are_not_duplicates(yente: Path, tmp_path: Path) -> None:
    path = tmp_path / "x.delta.json"
    path.write_text(
        '{"op": "ADD", "entity": {"id": "a", "schema": "Person", "properties": {"name": ["A"]}}}\n'
        '{"op": "MOD", "entity": {"id": "a", "schema": "Person", "properties": {"name": ["B"]}}}\n',
        encoding="utf-8",
    )
    result = ftm_json.read([path])
    assert [e.caption for e in result.entities] == ["B"]
    assert result.stats["duplicate_ids"] == 0


def test_folder_of_different_datasets_is_refused(yente: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "eu.ftm.json").write_bytes((yente / "t1_entities.ftm.json").read_bytes())
    _write_lines(
        folder / "ofac.ftm.json",
        {"id": "o1", "schema": "Company", "properties": {"name": ["Acme LLC"]},
         "datasets": ["us_ofac_sdn"]},
    )
    with pytest.raises(SourceError, match=r"2 different FtM datasets.*eu\.ftm\.json.*eu_fsf"):
        read(folder)
    # An export of one dataset beside a collection that also holds it: two lists, not one
    # (t1 is an eu_fsf export, zala a collection with eu_fsf records among others).
    both = tmp_path / "both"
    both.mkdir()
    for name in ("t1_entities.ftm.json", "zala_entities.ftm.json"):
        (both / name).write_bytes((yente / name).read_bytes())
    with pytest.raises(SourceError, match=r"2 different FtM datasets.*t1_entities.*zala_entities"):
        read(both)
    # An export and a delta that share datasets are one list.
    together = tmp_path / "together"
    together.mkdir()
    for name in ("zala_entities.ftm.json", "t2_20240527194702_entities.delta.json"):
        (together / name).write_bytes((yente / name).read_bytes())
    assert len(read(together).entities) == 19


def test_synthetic_collection_is_deterministic_and_screenable(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parents[2] / "bench"))
    from ftm_synth import generate

    a, b = tmp_path / "a.ftm.json", tmp_path / "b.ftm.json"
    generate(a, 300, seed=3)
    generate(b, 300, seed=3)
    assert a.read_bytes() == b.read_bytes()
    result = read(a)
    assert len(result.entities) == 300 == sum(result.stats["kept"].values())
    assert result.stats["dropped"] == [] and result.stats["named_from_parts"] > 0
    assert set(result.stats["folded"]) >= {"Sanction", "Address"}


@pytest.mark.parametrize("name", sorted(BEFORE_STREAMING))
def test_worker_processes_serialise_the_same_rows(yente: Path, name: str) -> None:
    """A large file's entities are decoded and serialised in worker processes: the same rows,
    in the same order, as in-process."""
    result = read(yente / name)
    check = partial(serialise, source=result.source, label=name)
    in_process = [check(e) for e in result.entities]
    graph = result.entities._graph
    by_workers = list(graph.serialised(result.source, check, workers=2, serial=1))
    assert by_workers == in_process and len(in_process) > 1


def test_refusal_in_a_worker_process_is_the_readers_error(tmp_path: Path) -> None:
    lines = [{"id": f"p{i}", "schema": "Person", "properties": {"name": [f"Person {i}"]}}
             for i in range(6)]
    lines[4]["properties"]["name"] = ["X" * (limits.MAX_NAME + 1)]
    path = _write_lines(tmp_path / "big.ftm.json", *lines)
    result = read(path)
    check = partial(serialise, source=result.source, label=path.name)
    with pytest.raises(SourceError, match="big.ftm.json"):
        list(result.entities._graph.serialised(result.source, check, workers=2, serial=1))

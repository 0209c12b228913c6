"""FtM export/import: lossless round trips, and validity against the followthemoney package."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradescreen import ftm
from tradescreen.model import Entity, Identifier, Name, PartialDate, Relation
from tradescreen.sources import read

followthemoney = pytest.importorskip("followthemoney")  # installed with the `bench` extra
from followthemoney import model as ftm_model  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def real_entities(data_dir: Path) -> list[Entity]:
    entities: list[Entity] = []
    for path in (
        FIXTURES / "eu" / "eu_fsf_sample.xml",
        FIXTURES / "uk" / "uk_sanctions_sample.xml",
        data_dir / "opensanctions" / "yente_fixtures" / "zala_entities.ftm.json",
        data_dir / "opensanctions" / "yente_fixtures" / "t1_entities.ftm.json",
    ):
        entities += read(path).entities
    return entities


def test_real_entities_round_trip_exactly(real_entities: list[Entity]) -> None:
    for entity in real_entities:
        data = orjson.loads(orjson.dumps(ftm.to_ftm(entity)))  # through JSON, as on disk
        assert ftm.from_ftm(data, entity.source) == entity


def test_core_fields_survive_without_the_extra_block(real_entities: list[Entity]) -> None:
    # A plain FtM consumer drops our extra key: names, dates, countries, identifiers and
    # programs must still come through the FtM properties alone.
    for entity in real_entities:
        data = ftm.to_ftm(entity)
        data.pop(ftm.EXTRA_KEY, None)
        back = ftm.from_ftm(data, entity.source)
        assert back.schema == entity.schema
        assert {n.value for n in back.names} == {n.value for n in entity.names}
        assert back.caption == entity.caption
        assert {d.iso for d in back.birth_dates} == {d.iso for d in entity.birth_dates if d.iso}
        assert set(back.countries) == set(entity.countries)
        assert back.programs == entity.programs
        if entity.schema == "Person":
            assert set(back.nationalities) == set(entity.nationalities)
        kept = {(i.scheme, i.value) for i in back.identifiers}
        for ident in entity.identifiers:
            if ftm._id_prop(data["schema"], ident.scheme) and ident.scheme not in ("imo", "swift"):
                assert (ident.scheme, ident.value) in kept


def test_exports_are_valid_followthemoney(real_entities: list[Entity]) -> None:
    for entity in real_entities:
        for data in ftm.iter_ftm([entity]):
            schema = ftm_model.get(data["schema"])
            assert schema is not None, data["schema"]
            unknown = set(data["properties"]) - set(schema.properties)
            assert not unknown, f"{data['schema']}: {unknown}"
            # cleaned=False re-validates every value the way FtM does for untrusted input.
            proxy = ftm_model.get_proxy(data, cleaned=False)
            assert proxy.id == data["id"]
            for prop in ("name", "alias", "birthDate", "country", "nationality", "createdAt",
                         "passportNumber", "innCode", "imoNumber", "owner", "asset", "subject"):
                assert proxy.get(prop, quiet=True) == data["properties"].get(prop, []), prop


def test_schema_property_table_matches_followthemoney() -> None:
    for name, props in ftm.SCHEMA_PROPS.items():
        schema = ftm_model.get(name)
        assert schema is not None and schema.matchable
        assert props <= set(schema.properties), props - set(schema.properties)
    for link in ("Ownership", "UnknownLink"):
        assert ftm_model.get(link) is not None


def test_ids_schema_and_link_entities() -> None:
    vessel = Entity(
        source="gb_fcdo", source_id="RUS9003", schema="Vessel",
        names=(Name("NORDIC STAR"),), identifiers=(Identifier("imo", "9187629"),),
        relations=(
            Relation("vessel_owner", "Nordic Star Maritime Ltd", "RUS9004", 0.5),
            Relation("linked_to", "Someone", "RUS9005", note="operator"),
            Relation("parent", "Unlisted Holding"),  # no target id: no link entity
        ),
    )
    data = ftm.to_ftm(vessel)
    assert data["id"] == "gb-fcdo-rus9003"
    assert data["properties"]["imoNumber"] == ["IMO9187629"]
    assert data["properties"]["topics"] == ["sanction"]
    links = ftm.relation_entities(vessel)
    assert [link["schema"] for link in links] == ["Ownership", "UnknownLink"]
    assert links[0]["properties"] == {
        "owner": ["gb-fcdo-rus9004"], "asset": ["gb-fcdo-rus9003"], "percentage": ["50"]
    }
    assert links[1]["properties"]["subject"] == ["gb-fcdo-rus9003"]
    plane = Entity(source="us_ofac_sdn", source_id="1", schema="Aircraft", names=(Name("X"),))
    assert ftm.to_ftm(plane)["schema"] == "Airplane"
    assert ftm.from_ftm(ftm.to_ftm(plane), "us_ofac_sdn").schema == "Aircraft"


def test_from_ftm_rejects_non_matchable() -> None:
    with pytest.raises(ValueError, match="not a matchable"):
        ftm.from_ftm({"id": "x", "schema": "Address", "properties": {}}, "os_x")


def test_write_lines_text_and_binary(real_entities: list[Entity]) -> None:
    sample = real_entities[:5]
    text, binary = io.StringIO(), io.BytesIO()
    count = ftm.write_ftm_lines(sample, text)
    assert count == ftm.write_ftm_lines(sample, binary)
    assert text.getvalue().encode("utf-8") == binary.getvalue()
    lines = [orjson.loads(line) for line in text.getvalue().splitlines()]
    assert len(lines) == count >= len(sample)
    assert [ftm.from_ftm(d, e.source) for d, e in zip(lines, sample, strict=False)][:1] == [
        sample[0]
    ]


def test_own_export_reads_back_through_the_reader(tmp_path: Path) -> None:
    owner = Entity(source="demo", source_id="A", schema="Company", names=(Name("Alpha Ltd"),),
                   relations=(Relation("subsidiary", "Beta Ltd", "B", 1.0),))
    owned = Entity(source="demo", source_id="B", schema="Company", names=(Name("Beta Ltd"),))
    path = tmp_path / "demo.ftm.json"
    with path.open("w", encoding="utf-8") as fh:
        ftm.write_ftm_lines([owner, owned], fh)
    result = read(path)
    assert result.source == "os_demo"
    by_caption = {e.caption: e for e in result.entities}
    # The relation travels in the extra block: not doubled by the Ownership line.
    assert by_caption["Alpha Ltd"].relations == owner.relations
    assert [r.kind for r in by_caption["Beta Ltd"].relations] == ["owner"]


_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
    min_size=1, max_size=12,
)
_iso = st.dates().map(lambda d: d.isoformat()).flatmap(
    lambda s: st.sampled_from([s[:4], s[:7], s])
)


@st.composite
def _entities(draw: st.DrawFn) -> Entity:
    schema = draw(st.sampled_from(["Person", "Company", "Organization", "LegalEntity",
                                   "Vessel", "Aircraft"]))
    names = draw(st.lists(
        st.builds(Name, _text, st.sampled_from(["primary", "alias", "original", "previous"]),
                  st.sampled_from(["strong", "weak"]), st.none() | st.sampled_from(["ru", "ar"])),
        min_size=1, max_size=4, unique_by=lambda n: n.value,
    ))
    dates = draw(st.lists(_iso.flatmap(lambda iso: st.sampled_from([
        PartialDate(iso, iso), PartialDate(f"circa {iso}", iso, True)])), max_size=2))
    idents = draw(st.lists(st.builds(
        Identifier, st.sampled_from(["passport", "inn", "imo", "registration", "tax", "other"]),
        _text, st.none() | st.sampled_from(["ru", "ir"]), st.none() | _text), max_size=3))
    return Entity(
        source=draw(st.sampled_from(["eu_fsf", "gb_fcdo", "us_ofac_sdn"])),
        source_id=draw(_text),
        schema=schema,
        names=tuple(names),
        birth_dates=tuple(dates),
        nationalities=tuple(draw(st.lists(st.sampled_from(["ru", "ir", "by"]), unique=True))),
        countries=tuple(draw(st.lists(st.sampled_from(["ru", "cn", "ae"]), unique=True))),
        identifiers=tuple(idents),
        programs=tuple(draw(st.lists(_text, max_size=2, unique=True))),
        listed_on=draw(st.none() | _iso),
        remarks=draw(st.none() | _text),
        gender=draw(st.none() | st.sampled_from(["male", "Female", "x"])),
        titles=tuple(draw(st.lists(_text, max_size=2, unique=True))),
        relations=tuple(draw(st.lists(st.builds(
            Relation, st.sampled_from(["owner", "linked_to"]), _text, st.none() | _text,
            st.none() | st.floats(0, 1)), max_size=2))),
        properties=draw(st.dictionaries(st.sampled_from(["firstName", "vessel_type", "topics"]),
                                        st.lists(_text, min_size=1, max_size=2).map(tuple),
                                        max_size=2)),
    )


@settings(max_examples=200, deadline=None)
@given(_entities())
def test_round_trip_is_lossless(entity: Entity) -> None:
    data = orjson.loads(orjson.dumps(ftm.to_ftm(entity)))
    assert ftm.from_ftm(data, entity.source) == entity


@pytest.mark.parametrize(
    "parts",
    [
        {"firstName": ["Ivan"], "fatherName": ["Petrovich"], "lastName": ["Sidorov"]},
        {"firstName": ["Olena", "Elena"], "middleName": ["M."], "lastName": ["Kovalenko"]},
        {"lastName": ["Zakharov", "Zakharova"]},
        {"firstName": ["  Ana  Maria "], "secondName": ["Luisa"], "motherName": ["Garcia"],
         "lastName": ["Lopez"]},
        {"firstName": ["Kim"]},
    ],
)
def test_names_from_parts_as_followthemoney_combines_them(parts: dict) -> None:
    from followthemoney.helpers import combine_names

    proxy = ftm_model.make_entity("Person")
    proxy.id = "p"
    for prop, values in parts.items():
        proxy.add(prop, values)
    expected = set(combine_names(proxy).get("alias"))
    assert set(ftm.names_from_parts(parts)) == expected
    entity = ftm.from_ftm({"id": "p", "schema": "Person", "properties": parts}, "x")
    assert {n.value for n in entity.names} == expected


def test_name_parts_do_not_add_names_when_a_name_is_given() -> None:
    props = {"name": ["Ivan Sidorov"], "firstName": ["Ivan"], "lastName": ["Sidorov"]}
    data = {"id": "p", "schema": "Person", "properties": props}
    assert [n.value for n in ftm.from_ftm(data, "x").names] == ["Ivan Sidorov"]

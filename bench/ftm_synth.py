"""A synthetic FollowTheMoney collection of OpenSanctions' shape, at any size, from a fixed seed.

    python bench/ftm_synth.py bench/out/synth_100k.ftm.json --entities 100000 [--seed 1]

    from ftm_synth import generate
    generate(Path("bench/out/synth.ftm.json"), 1_500_000, seed=1)

`entities` screenable entities (70 % Person, 30 % Company) with faker names in 15 locales (their
own scripts), 1-4 names each (a primary name, the rest aliases), 30 % with birth or incorporation
dates, nationalities and topics as OpenSanctions publishes them; 2 % of the people are given only
as name parts (`firstName` / `lastName`, no `name`), as some OpenSanctions crawlers emit them. Link
and detail records come on top, pointing forward and backward in the file: a Sanction for 60 % of
the entities, an Address for 10 %, an Ownership for 5 % and a Family link for 3 % (about 0.8 extra
lines per entity). Lines are JSON (gzip when the path ends in .gz), one entity per line.

Faker builds pools of first, last and company names per locale once; entities combine them, so a
million entities take seconds, not faker's minutes. Same (entities, seed) -> same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

LOCALES = (
    "en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "ru_RU", "uk_UA", "tr_TR", "ar_AA",
    "fa_IR", "zh_CN", "ko_KR", "hi_IN", "pt_BR",
)
# Scripts that write the family name first with no space (faker's own `name()` does the same).
_SURNAME_FIRST = {"zh_CN", "ko_KR"}
# ISO country of each locale, for nationality / jurisdiction.
_COUNTRY = {
    "en_US": "us", "en_GB": "gb", "de_DE": "de", "fr_FR": "fr", "es_ES": "es", "it_IT": "it",
    "ru_RU": "ru", "uk_UA": "ua", "tr_TR": "tr", "ar_AA": "ae", "fa_IR": "ir", "zh_CN": "cn",
    "ko_KR": "kr", "hi_IN": "in", "pt_BR": "br",
}
POOL = 2000  # distinct first / last / company names drawn per locale
PERSON_SHARE = 0.7
DATE_SHARE = 0.3
PARTS_ONLY_SHARE = 0.02
SANCTION_SHARE = 0.6
ADDRESS_SHARE = 0.1
OWNERSHIP_SHARE = 0.05
FAMILY_SHARE = 0.03
DATASETS = ("synth_sanctions", "synth_peps", "synth_debarment")
PROGRAMS = ("SYN-RUS", "SYN-IRN", "SYN-PRK", "SYN-SDGT", "SYN-CYBER")
STAMP = "2026-06-01T00:00:00"


class _Pools:
    def __init__(self, seed: int) -> None:
        from faker import Faker

        self.first: dict[str, list[str]] = {}
        self.last: dict[str, list[str]] = {}
        self.company: dict[str, list[str]] = {}
        self.street: dict[str, list[str]] = {}
        for i, locale in enumerate(LOCALES):
            fake = Faker(locale)
            fake.seed_instance(seed * 1000 + i)
            self.first[locale] = [" ".join(fake.first_name().split()) for _ in range(POOL)]
            self.last[locale] = [" ".join(fake.last_name().split()) for _ in range(POOL)]
            self.company[locale] = [" ".join(fake.company().split()) for _ in range(POOL)]
            self.street[locale] = [
                " ".join(fake.street_address().split()) + ", " + fake.city()
                for _ in range(POOL // 10)
            ]


def _entity_id(seed: int, n: int) -> str:
    return f"syn{seed}-{n:08d}"


def _person_name(rng: random.Random, pools: _Pools, locale: str) -> tuple[str, str, str]:
    first, last = rng.choice(pools.first[locale]), rng.choice(pools.last[locale])
    full = f"{last}{first}" if locale in _SURNAME_FIRST else f"{first} {last}"
    return full, first, last


def _date(rng: random.Random, start: int, end: int) -> str:
    year = rng.randint(start, end)
    if rng.random() < 0.15:
        return str(year)  # OpenSanctions keeps partial dates as the list gives them
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _record(entity_id: str, schema: str, caption: str, props: dict[str, list[str]],
            datasets: list[str], target: bool = False) -> dict[str, Any]:
    return {
        "id": entity_id,
        "caption": caption,
        "schema": schema,
        "properties": props,
        "referents": [],
        "datasets": datasets,
        "first_seen": STAMP,
        "last_seen": STAMP,
        "last_change": STAMP,
        "target": target,
    }


def _screenable(rng: random.Random, pools: _Pools, seed: int, n: int) -> dict[str, Any]:
    locale = LOCALES[n % len(LOCALES)]
    country = _COUNTRY[locale]
    datasets = [rng.choice(DATASETS)]
    count = rng.randint(1, 4)
    if rng.random() < PERSON_SHARE:
        full, first, last = _person_name(rng, pools, locale)
        props: dict[str, list[str]] = {}
        if rng.random() < PARTS_ONLY_SHARE:
            props = {"firstName": [first], "lastName": [last]}
            caption = last
        else:
            names = [full]
            for _ in range(count - 1):
                names.append(_person_name(rng, pools, locale)[0] if rng.random() < 0.1 else
                             f"{last} {first}" if len(names) == 1 else
                             f"{first[0]}. {last}" if len(names) == 2 else full.upper())
            names = list(dict.fromkeys(names))
            props = {"name": names[:1], "firstName": [first], "lastName": [last]}
            if len(names) > 1:
                props["alias"] = names[1:]
            caption = names[0]
        if rng.random() < DATE_SHARE:
            props["birthDate"] = [_date(rng, 1935, 2000)]
        props["nationality"] = [country]
        props["topics"] = ["sanction"] if datasets[0] != "synth_peps" else ["role.pep"]
        return _record(_entity_id(seed, n), "Person", caption, props, datasets, True)
    names = list(dict.fromkeys(rng.choice(pools.company[locale]) for _ in range(count)))
    props = {"name": names[:1], "jurisdiction": [country], "topics": ["sanction"]}
    if len(names) > 1:
        props["alias"] = names[1:]
    if rng.random() < DATE_SHARE:
        props["incorporationDate"] = [_date(rng, 1950, 2024)]
    if rng.random() < 0.2:
        props["registrationNumber"] = [str(rng.randint(10**9, 10**10 - 1))]
    return _record(_entity_id(seed, n), "Company", names[0], props, datasets, True)


def _links(rng: random.Random, pools: _Pools, seed: int, n: int, entities: int,
           record: dict[str, Any]) -> Iterator[dict[str, Any]]:
    this = record["id"]
    datasets = record["datasets"]
    if rng.random() < SANCTION_SHARE:
        props = {"entity": [this], "program": [rng.choice(PROGRAMS)],
                 "authority": ["Synthetic Sanctions Office"],
                 "startDate": [_date(rng, 2000, 2025)]}
        yield _record(f"{this}-sanction", "Sanction", "Sanction", props, datasets)
    if rng.random() < ADDRESS_SHARE:
        locale = LOCALES[n % len(LOCALES)]
        full = rng.choice(pools.street[locale])
        addr_id = f"{this}-addr"
        record["properties"]["addressEntity"] = [addr_id]
        props = {"full": [full], "country": [_COUNTRY[locale]]}
        yield _record(addr_id, "Address", full, props, datasets)
    other = _entity_id(seed, rng.randrange(entities))
    if other != this and rng.random() < OWNERSHIP_SHARE:
        props = {"owner": [other], "asset": [this], "percentage": [str(rng.randint(5, 100))]}
        yield _record(f"{this}-own", "Ownership", "Ownership", props, datasets)
    elif other != this and record["schema"] == "Person" and rng.random() < FAMILY_SHARE:
        props = {"person": [this], "relative": [other], "relationship": ["sibling"]}
        yield _record(f"{this}-fam", "Family", "Family", props, datasets)


def iter_records(entities: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    """The collection's records in file order: each entity, then its link records."""
    rng = random.Random(seed)
    pools = _Pools(seed)
    for n in range(entities):
        record = _screenable(rng, pools, seed, n)
        links = list(_links(rng, pools, seed, n, entities, record))
        yield record
        yield from links


def generate(path: Path, entities: int, seed: int = 1) -> None:
    """Write `entities` screenable entities (plus their link records) to `path` as FtM lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    fh: IO[bytes]
    with (gzip.open(tmp, "wb", compresslevel=3) if path.suffix == ".gz" else tmp.open("wb")) as fh:
        buffer: list[bytes] = []
        for record in iter_records(entities, seed):
            buffer.append(orjson.dumps(record))
            if len(buffer) >= 10_000:
                fh.write(b"\n".join(buffer) + b"\n")
                buffer.clear()
        if buffer:
            fh.write(b"\n".join(buffer) + b"\n")
    tmp.replace(path)  # never leave a half-written file under the final name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    start = time.perf_counter()
    generate(args.path, args.entities, args.seed)
    size = args.path.stat().st_size / 2**20
    print(f"{args.entities:,} entities -> {args.path} ({size:.0f} MiB) in "
          f"{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()

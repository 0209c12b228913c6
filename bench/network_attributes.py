"""Shared-attribute alerts: precision on ordinary companies, recall on reformatted list values,
and what the attribute index adds to the index build.

One run, on every list of the shared data dir (the screening bench's LISTS):

1. Build: the index written twice from the same records, without and with attributes and
   relations (records stripped of both vs as `to_record` makes them; the time `to_record` spends
   on attributes is measured apart and counted in). Growth = with / without - 1 (target < 30 %).
   CPU seconds of this process and its build workers (best of two alternated runs, cold
   caches): the machine the figures come from is shared, and wall time there measures the
   neighbours.
2. Precision: 10,000 ordinary company records from `faker` in 12 locales (company name, postal
   address, phone, e-mail, website; a fifth with free-mail addresses), screened with their
   attributes. Rate of records with a listed party at review or match *because of* a shared
   attribute (a strong `shared_attribute` row), and the review rate with and without the
   attributes (target: attribute-caused review <= 1 %).
3. Recall: specific addresses (not weak, not shared by 5+ listed parties) and phones sampled
   from the lists, rewritten: abbreviations swapped (Street / St., Building / Bldg ...), parts
   reordered, postcode moved, case and punctuation changed, Cyrillic transliterated, country
   as name or code; phones as E.164, international, national (with the party's country) and
   00-prefixed forms. Each is screened under an unrelated faker company name; a hit is the
   source record among the results with a strong shared_attribute row (target >= 0.95).
   Values that are weak even written as the list writes them (5+ listed parties hold the
   address once spellings are compared) are counted apart (`weak_as_listed`), not as misses.

    python bench/network_attributes.py [--quick] [--seed 7] [--out PATH]

`run(args)` returns the figures as a dict (bench/network.py calls it); `--quick`: 2,000 ordinary
records and 300 reformatted values of each kind.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from random import Random
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import out_dir, print_table, rel, shared_data_dir  # noqa: E402
from screening import LISTS  # noqa: E402

from tradescreen import sources  # noqa: E402
from tradescreen.index.attributes import entity_attributes  # noqa: E402
from tradescreen.index.build import INDEX_VERSION  # noqa: E402
from tradescreen.index.mapped import MappedIndex  # noqa: E402
from tradescreen.index.records import Record, to_record  # noqa: E402
from tradescreen.index.write import write_index  # noqa: E402
from tradescreen.match.attributes import COMMON  # noqa: E402
from tradescreen.match.entity import Query  # noqa: E402
from tradescreen.normalize.addresses import address_tokens, specificity  # noqa: E402
from tradescreen.normalize.phones import read_phone  # noqa: E402
from tradescreen.screen.party import PartyResult, Screener  # noqa: E402

LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "it_IT", "es_ES", "pl_PL", "ru_RU", "tr_TR",
           "zh_CN", "ja_JP", "ar_AA")
FREE_MAIL_SHARE = 0.2
HIT = ("match", "review")


# ---------------------------------------------------------------- build


def _clear_caches() -> None:
    """Each build starts cold: normalised names and addresses are cached per process."""
    from tradescreen.normalize import addresses, phones
    from tradescreen.normalize.names import name_form

    for fn in (name_form, addresses.address_tokens, phones.read_phone):
        if hasattr(fn, "cache_clear"):
            fn.cache_clear()


def load_records(data_dir: Path) -> tuple[list[Record], float, float]:
    """Every listed record; seconds spent in `to_record`, and in its attributes (measured
    apart, on cold caches)."""
    entities = []
    for relpath in LISTS:
        snap = f"bench-{relpath.split('/')[0]}"
        entities += [(e, snap) for e in sources.read(data_dir / relpath).entities]
    _clear_caches()
    start = time.process_time()
    for entity, _snap in entities:
        entity_attributes(entity, entity.countries)
    attrs = time.process_time() - start
    _clear_caches()
    start = time.process_time()
    records = [to_record(entity, snap) for entity, snap in entities]
    total = time.process_time() - start
    return records, total, attrs


def _cpu() -> float:
    """CPU seconds of this process and of its finished children: the build normalises names in
    worker processes past 20,000 records, so the main process's CPU alone would leave that work
    out of the base and overstate the attribute tables' share."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def build_figures(records: list[Record], to_record_s: float, attrs_s: float,
                  folder: Path) -> tuple[dict[str, Any], MappedIndex]:
    bare = [r._replace(attributes=(), relations=()) for r in records]
    timings: dict[str, float] = {}
    # Alternated and repeated, best of two each: the machine is shared and noisy.
    for label, recs in (("without", bare), ("with", records)) * 2:
        path = folder / f"index-{label}"
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        _clear_caches()
        start = _cpu()
        write_index(iter(recs), ("bench",), path, INDEX_VERSION)
        took = _cpu() - start
        timings[label] = min(took, timings.get(label, took))
        timings[f"{label}_bytes"] = sum(p.stat().st_size for p in path.iterdir())
    without = (to_record_s - attrs_s) + timings["without"]
    with_ = to_record_s + timings["with"]
    attr_files = ("attr_keys", "addr_", "relations")
    extra_bytes = sum(p.stat().st_size for p in (folder / "index-with").iterdir()
                      if p.name.startswith(attr_files))
    figures = {
        "records": len(records),
        "build_without_s": round(without, 2), "build_with_s": round(with_, 2),
        "build_growth": round(with_ / without - 1, 4),
        "attributes_in_to_record_s": round(attrs_s, 2),
        "attribute_files_mb": round(extra_bytes / 2**20, 2),
        "index_mb": round(timings["with_bytes"] / 2**20, 2),
    }
    return figures, MappedIndex(folder / "index-with", INDEX_VERSION)


# ---------------------------------------------------------------- precision


def ordinary_records(n: int, seed: int) -> list[tuple[str, Query]]:
    from faker import Faker

    out: list[tuple[str, Query]] = []
    rng = Random(seed)
    per = [n // len(LOCALES) + (i < n % len(LOCALES)) for i in range(len(LOCALES))]
    for i, (locale, count) in enumerate(zip(LOCALES, per, strict=True)):
        fake = Faker(locale)
        fake.seed_instance(seed * 1000 + i)
        for _ in range(count):
            email = fake.free_email() if rng.random() < FREE_MAIL_SHARE else fake.company_email()
            attrs = (("address", " ".join(fake.address().split())),
                     ("phone", fake.phone_number()), ("email", email), ("website", fake.url()))
            out.append((locale, Query(" ".join(fake.company().split()), "Company",
                                      attributes=attrs)))
    return out


def _strong(result: PartyResult) -> bool:
    return any(f.feature == "shared_attribute" and not f.value["weak"]
               for f in result.score.evidence)


def precision(screener: Screener, n: int, seed: int) -> dict[str, Any]:
    queries = ordinary_records(n, seed)
    by_attr = named = with_attrs = 0
    weak_rows = 0
    examples: list[dict[str, Any]] = []
    start = time.perf_counter()
    for _locale, q in queries:
        results = screener.screen(q, limit=10)
        bare = screener.screen(Query(q.name, q.schema), limit=10)
        named += any(r.decision in HIT for r in bare)
        with_attrs += any(r.decision in HIT for r in results)
        weak_rows += any(f.feature == "shared_attribute" and f.value["weak"]
                         for r in results for f in r.score.evidence)
        strong = [r for r in results if r.decision in HIT and _strong(r)]
        if strong:
            by_attr += 1
            if len(examples) < 10:
                rows = [f.value for f in strong[0].score.evidence
                        if f.feature == "shared_attribute"]
                examples.append({"query": q.name, "listed": strong[0].score.record.caption,
                                 "rows": rows})
    seconds = time.perf_counter() - start
    return {"records": len(queries), "review_by_attribute": by_attr,
            "review_by_attribute_rate": round(by_attr / len(queries), 4),
            "review_rate_name_only": round(named / len(queries), 4),
            "review_rate_with_attributes": round(with_attrs / len(queries), 4),
            "records_with_weak_rows": weak_rows,
            "ms_per_record": round(seconds / len(queries) * 500, 2),  # two screenings each
            "examples": examples}


# ---------------------------------------------------------------- recall

_ABBREV = [("street", "st."), ("road", "rd."), ("avenue", "ave."), ("building", "bldg."),
           ("floor", "fl."), ("office", "ofc."), ("apartment", "apt."), ("room", "rm."),
           ("district", "dist."), ("boulevard", "blvd."), ("lane", "ln."), ("suite", "ste."),
           ("ulitsa", "ul."), ("pereulok", "per."), ("prospekt", "pr-t"), ("house", "d."),
           ("post office box", "p.o. box"), ("number", "no.")]
_COUNTRIES = {"russia": "RU", "russian federation": "RU", "iran": "IR", "china": "CN",
              "united arab emirates": "AE", "uae": "AE", "syria": "SY", "turkey": "TR",
              "lebanon": "LB", "colombia": "CO", "mexico": "MX", "pakistan": "PK",
              "north korea": "KP", "hong kong": "HK", "belarus": "BY", "india": "IN"}
_POSTCODE = re.compile(r"\b\d{5,6}\b")


def _abbrev(text: str, rng: Random) -> str:
    for long, short in rng.sample(_ABBREV, len(_ABBREV)):
        pat_long = re.compile(rf"\b{re.escape(long)}\b", re.I)
        pat_short = re.compile(rf"(?<!\w){re.escape(short)}(?!\w)", re.I)
        if pat_long.search(text):
            return pat_long.sub(short.title(), text, count=1)
        if pat_short.search(text):
            return pat_short.sub(long.title(), text, count=1)
    return text


def _reorder(text: str, rng: Random) -> str:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) < 2:
        return text
    return ", ".join(reversed(parts)) if rng.random() < 0.5 else ", ".join(parts[1:] + parts[:1])


def _postcode(text: str, rng: Random) -> str:
    found = _POSTCODE.search(text)
    if not found:
        return text
    rest = " ".join((text[: found.start()] + text[found.end():]).split()).strip(" ,")
    return f"{found.group(0)} {rest}" if rng.random() < 0.5 else f"{rest} {found.group(0)}"


def _case(text: str, rng: Random) -> str:
    return rng.choice((text.upper(), text.lower(), text.title()))


def _punct(text: str, rng: Random) -> str:
    return rng.choice((text.replace(",", ""), text.replace(",", " -"), text.replace(".", "")))


def _translit(text: str, _rng: Random) -> str:
    from tradescreen.normalize.text import _TRANSLIT

    return _TRANSLIT.transliterate(text) if re.search("[\u0400-\u04ff]", text) else text


def _country(text: str, _rng: Random) -> str:
    low = text.lower()
    for name, code in _COUNTRIES.items():
        if re.search(rf"\b{name}\b", low):
            return re.sub(rf"\b{name}\b", code, text, count=1, flags=re.I)
    return text


REWRITES: dict[str, Callable[[str, Random], str]] = {
    "abbreviation": _abbrev, "order": _reorder, "postcode": _postcode, "case": _case,
    "punctuation": _punct, "transliteration": _translit, "country": _country,
}


def reformat_address(text: str, rng: Random) -> tuple[str, list[str]]:
    names = rng.sample(sorted(REWRITES), 3)
    if re.search("[\u0400-\u04ff]", text) and "transliteration" not in names:
        names[0] = "transliteration"
    for name in names:
        text = REWRITES[name](text, rng)
    return " ".join(text.split()), names


def reformat_phone(raw: str, countries: tuple[str, ...], rng: Random) -> tuple[str, str, tuple]:
    import phonenumbers

    phone = read_phone(raw, countries)
    assert phone is not None and phone.country_code is not None
    number = phonenumbers.parse(f"+{phone.country_code}{phone.national}")
    region = phonenumbers.region_code_for_number(number)
    form = rng.choice(("e164", "international", "national", "00"))
    if form == "e164":
        text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    elif form == "international":
        text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    elif form == "national":
        text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    else:
        text = f"00 {phone.country_code} {phone.national}"
    return text, form, ((region.lower(),) if form == "national" and region else ())


def recall_samples(index: MappedIndex, n: int, seed: int
                   ) -> tuple[list[tuple[int, str, str]], list[tuple[int, str, tuple]]]:
    """(record position, listed address) and (position, listed phone, countries) samples."""
    from tradescreen.index.attributes import attributes_of, party_key

    attrs = attributes_of(index)
    assert attrs is not None
    rng = Random(seed)
    # Values the index calls common (5+ listed parties) are weak by design: not in the sample.
    addresses: list[tuple[int, str, str]] = []
    for addr_id in range(len(attrs.addr_record)):
        if int(attrs.addr_shared[addr_id]) >= COMMON:
            continue
        pos = int(attrs.addr_record[addr_id])
        value = index.records[pos].attributes[int(attrs.addr_slot[addr_id])][2]
        if specificity(address_tokens(value)) is None:
            addresses.append((pos, value, ""))
    phones = []
    for pos in range(len(index.records)):
        record = index.records[pos]
        for kind, key, value in record.attributes:
            if kind != "phone" or key.startswith(":"):
                continue
            holders = attrs.records(f"p:{key.partition(':')[2]}")
            if len({party_key(index.records[p].caption) for p in holders}) < COMMON:
                phones.append((pos, value, record.countries))
    rng.shuffle(addresses)
    rng.shuffle(phones)
    return addresses[:n], phones[:n]


def recall(screener: Screener, index: MappedIndex, n: int, seed: int) -> dict[str, Any]:
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = Random(seed)
    addresses, phones = recall_samples(index, n, seed)
    out: dict[str, Any] = {}
    def found(pos: int, kind: str, text: str, countries: tuple) -> bool:
        q = Query(fake.company(), "Company", countries=countries, attributes=((kind, text),))
        want = index.records[pos].id
        return any(r.score.record.id == want and r.decision in HIT and _strong(r)
                   for r in screener.screen(q, limit=10))

    for kind, samples in (("address", addresses), ("phone", phones)):
        hits = verbatim_weak = 0
        by_form: dict[str, list[int]] = {}
        misses: list[dict[str, Any]] = []
        for pos, value, countries in samples:
            # A value that is weak even as the list writes it (held by 5+ parties once
            # spellings are compared) is not a reformatting miss: counted apart.
            if not found(pos, kind, value, countries if kind == "phone" else ()):
                verbatim_weak += 1
                continue
            if kind == "address":
                text, forms = reformat_address(value, rng)
                query_countries: tuple = ()
            else:
                text, form, query_countries = reformat_phone(value, countries, rng)
                forms = [form]
            hit = found(pos, kind, text, query_countries)
            hits += hit
            for form in forms:
                by_form.setdefault(form, [0, 0])
                by_form[form][0] += hit
                by_form[form][1] += 1
            if not hit and len(misses) < 15:
                misses.append({"listed": value, "query": text, "rewrites": forms})
        tried = len(samples) - verbatim_weak
        out[kind] = {"samples": tried, "weak_as_listed": verbatim_weak,
                     "recall": round(hits / max(1, tried), 4),
                     "by_rewrite": {k: round(v[0] / v[1], 4) for k, v in sorted(by_form.items())},
                     "misses": misses}
    return out


# ---------------------------------------------------------------- run


def run(args: argparse.Namespace | None = None) -> dict[str, Any]:
    """The figures as a dict; `args` as `parse_args` gives them (None: the full defaults)."""
    args = args or parse_args([])
    data_dir = shared_data_dir()
    n_ordinary = 2000 if args.quick else 10_000
    n_recall = 300 if args.quick else 1500
    with tempfile.TemporaryDirectory(prefix="bench-network-attrs-") as tmp:
        records, to_record_s, attrs_s = load_records(data_dir)
        build, index = build_figures(records, to_record_s, attrs_s, Path(tmp))
        screener = Screener(index)
        result = {
            "build": build,
            "precision": precision(screener, n_ordinary, args.seed),
            "recall": recall(screener, index, n_recall, args.seed),
            "quick": bool(args.quick), "seed": args.seed,
        }
    return result


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None)
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    result = run(args)
    out = args.out or out_dir() / ("network_attributes_quick.json" if args.quick
                                   else "network_attributes.json")
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    b, p, r = result["build"], result["precision"], result["recall"]
    print_table(["figure", "value"], [
        ["records", b["records"]],
        ["index build without attributes (CPU s)", b["build_without_s"]],
        ["index build with attributes (CPU s)", b["build_with_s"]],
        ["build growth", f"{b['build_growth']:+.1%}"],
        ["attribute files (MiB)", b["attribute_files_mb"]],
        ["ordinary records screened", p["records"]],
        ["review by shared attribute", f"{p['review_by_attribute_rate']:.2%}"],
        ["review rate, name only", f"{p['review_rate_name_only']:.2%}"],
        ["review rate, with attributes", f"{p['review_rate_with_attributes']:.2%}"],
        ["address recall (reformatted)", f"{r['address']['recall']:.3f} "
                                         f"({r['address']['samples']})"],
        ["phone recall (reformatted)", f"{r['phone']['recall']:.3f} ({r['phone']['samples']})"],
    ])
    print(f"wrote {rel(out)}")


if __name__ == "__main__":
    main()

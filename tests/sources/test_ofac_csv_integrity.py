"""OFAC legacy CSV completeness and encoding, on cut and re-encoded copies of the real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradescreen.sources import ofac_csv
from tradescreen.sources.base import SourceError

MAY = "ofac/sdn_2024-05-03/sdn.csv"


def _cut_at_line_end(data: bytes, share: float) -> bytes:
    """The first `share` of the file's records, each with its CRLF: what a stopped copy leaves."""
    end = data.index(b"\r\n", int(len(data) * share)) + 2
    return data[:end]


def test_sdn_cut_at_a_line_end_is_refused(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(_cut_at_line_end((data_dir / MAY).read_bytes(), 0.5))
    with pytest.raises(SourceError, match=r"sdn\.csv: no end-of-file byte \(0x1A\).*truncated"):
        ofac_csv.read([path])


def test_cons_prim_and_alt_cut_at_a_line_end_are_refused(data_dir: Path, tmp_path: Path) -> None:
    src = data_dir / "ofac" / "consolidated_nonsdn_csv"
    for cut in ("cons_prim.csv", "cons_alt.csv"):
        for name in ("cons_prim.csv", "cons_alt.csv"):
            data = (src / name).read_bytes()
            (tmp_path / name).write_bytes(_cut_at_line_end(data, 0.7) if name == cut else data)
        with pytest.raises(SourceError, match=rf"{cut.replace('.', '[.]')}: no end-of-file byte"):
            ofac_csv.read([tmp_path / "cons_prim.csv", tmp_path / "cons_alt.csv"])


def test_complete_files_still_read(data_dir: Path) -> None:
    # Every real file ends with 0x1A except sdn_comments.csv of 2021, which OFAC shipped without.
    full = sorted((data_dir / "ofac" / "sdn_2021-07_full_set").iterdir())
    comments = data_dir / "ofac" / "sdn_2021-07_full_set" / "sdn_comments.csv"
    assert not comments.read_bytes().rstrip().endswith(b"\x1a")
    assert len(ofac_csv.read([p for p in full if p.suffix == ".csv"]).entities) > 6000


ACCENTED = "MUÑOZ ÇELİK, José Ángel"


def _with_accented_name(data: bytes) -> tuple[str, str]:
    """The real file as text with its first record's name replaced by an accented one."""
    text = data.decode("cp1252")
    first = text.split("\r\n", 1)[0]
    ent_num, name = first.split(",")[0], first.split('"')[1]
    return text.replace(f'{ent_num},"{name}"', f'{ent_num},"{ACCENTED}"', 1), ent_num


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "utf-16"])
def test_unicode_sdn_is_decoded_not_mojibake(
    data_dir: Path, tmp_path: Path, codec: str
) -> None:
    text, ent_num = _with_accented_name((data_dir / MAY).read_bytes())
    path = tmp_path / "sdn.csv"
    path.write_bytes(text.encode(codec))
    read = ofac_csv.read([path])
    by_id = {e.source_id: e for e in read.entities}
    assert by_id[ent_num].names[0].value == ACCENTED
    assert len(read.entities) == 14965


def test_legacy_cp1252_still_read_as_cp1252(data_dir: Path, tmp_path: Path) -> None:
    text, ent_num = _with_accented_name((data_dir / MAY).read_bytes())
    path = tmp_path / "sdn.csv"
    legacy = text.replace("İ", "I")  # the one letter here that cp1252 lacks
    path.write_bytes(legacy.encode("cp1252"))
    by_id = {e.source_id: e for e in ofac_csv.read([path]).entities}
    assert by_id[ent_num].names[0].value == ACCENTED.replace("İ", "I")

"""What readers report instead of doing silently: entity references expanded (not dropped),
repeated ids merged (not renamed). On edited copies of the real UN and Canada files."""

from __future__ import annotations

from pathlib import Path

from tradescreen.sources import canada, un_xml

DTD = (
    b'<!DOCTYPE {root} [<!ENTITY eacute "\xc3\xa9">'
    b'<!ENTITY secret SYSTEM "file:///etc/hostname">]>\n'
)


def _with_dtd(data: bytes, root: bytes) -> bytes:
    head, rest = data.split(b"?>\n", 1)
    return head + b"?>\n" + DTD.replace(b"{root}", root) + rest


def test_un_entity_references_in_names_are_expanded_and_reported(
    data_dir: Path, tmp_path: Path
) -> None:
    data = _with_dtd((data_dir / "un" / "consolidated.xml").read_bytes(), b"CONSOLIDATED_LIST")
    data = data.replace(b"<SECOND_NAME>BADEGE</SECOND_NAME>",
                        b"<SECOND_NAME>BAD&eacute;GE &amp; &secret; SONS</SECOND_NAME>", 1)
    path = tmp_path / "consolidated.xml"
    path.write_bytes(data)
    read = un_xml.read([path])
    [eric] = [e for e in read.entities if "BAD" in e.caption and "ERIC" in e.caption]
    assert "BADéGE & &secret; SONS" in eric.caption  # nothing after a reference is lost
    hostname = Path("/etc/hostname")
    if hostname.exists() and hostname.read_text().strip():
        assert hostname.read_text().strip() not in eric.caption  # never loaded
    assert any("&eacute; in <SECOND_NAME>" in w and "expanded to 'é'" in w for w in read.warnings)
    assert any("&secret;" in w and "kept as written" in w for w in read.warnings)
    assert len(read.entities) == 1003


def test_canada_entity_reference_and_repeated_record(data_dir: Path, tmp_path: Path) -> None:
    data = _with_dtd((data_dir / "canada" / "sema-lmes.xml").read_bytes(), b"data-set")
    data = data.replace(b"<LastName>Atabekov</LastName>", b"<LastName>At&eacute;bekov</LastName>",
                        1)
    first = data.index(b"<record>")
    end = data.index(b"</record>", first) + len(b"</record>")
    record = data[first:end].replace(b"Khazalbek", b"Khazalbek K.")
    data = data[:end] + b"\n\t" + record + data[end:]  # the first record, repeated with a variant
    path = tmp_path / "sema-lmes.xml"
    path.write_bytes(data)
    read = canada.read([path])
    ids = [e.source_id for e in read.entities]
    original = canada.read([data_dir / "canada" / "sema-lmes.xml"])
    assert ids == [e.source_id for e in original.entities]  # no invented id
    [ata] = [e for e in read.entities if "Atébekov" in e.caption]
    names = {n.value for n in ata.names}
    assert any("Khazalbek K." in n for n in names) and any("Khazalbek Bakh" in n for n in names)
    assert any(f"id {ata.source_id} is on 2 records" in w for w in read.warnings)
    assert any("&eacute; (2 times, first in <LastName>" in w for w in read.warnings)

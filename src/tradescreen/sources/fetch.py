"""Downloading official list files: the only module in tradescreen that touches the network.

Each target is one list's set of official URLs. A download is conditional (ETag /
Last-Modified remembered per URL), verified (length, and a digest when the server sends one) and
staged: new files land in a hidden staging folder next to the current ones, so the caller can
parse and import the complete set first and only then `commit()` it into place (atomic renames)
or `discard()` it. A failed or refused download therefore never replaces the files or the
conditional-request state of the last good one.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import httpx
import orjson

from tradescreen import __version__ as _version


class FetchError(Exception):
    """A download that failed or could not be verified. The message names the URL and why."""


@dataclass(frozen=True)
class Target:
    name: str  # download folder name; matches the store's source id where one format is used
    format: str  # reader format name (see tradescreen.sources.FORMATS)
    urls: tuple[str, ...]
    title: str = ""
    # Alternative formats of a list fetched by default in another form are opt-in, so a plain
    # `lists fetch` does not import the same list three times.
    default: bool = True


_TREASURY = "https://www.treasury.gov/ofac/downloads"
TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target(
            "us_ofac_sdn",
            "ofac_csv",
            tuple(
                f"{_TREASURY}/{n}" for n in ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv")
            ),
            "OFAC SDN list (legacy CSV)",
        ),
        Target(
            "us_ofac_cons",
            "ofac_csv",
            tuple(
                f"{_TREASURY}/consolidated/{n}"
                for n in ("cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv")
            ),
            "OFAC Consolidated (non-SDN) list (legacy CSV)",
        ),
        Target(
            "us_ofac_cons_xml",
            "ofac_xml",
            (f"{_TREASURY}/consolidated/consolidated.xml",),
            "OFAC Consolidated (non-SDN) list (XML)",
            default=False,
        ),
        Target(
            "us_ofac_cons_enhanced",
            "ofac_enhanced_xml",
            (
                "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
                "CONS_ENHANCED.ZIP",
            ),
            "OFAC Consolidated (non-SDN) list (Enhanced XML)",
            default=False,
        ),
        Target(
            "un_sc",
            "un_xml",
            ("https://scsanctions.un.org/resources/xml/en/consolidated.xml",),
            "UN Security Council Consolidated List",
        ),
        Target(
            "us_csl",
            "csl_csv",
            (
                "https://data.trade.gov/downloadable_consolidated_screening_list/v1/"
                "consolidated.csv",
            ),
            "US Consolidated Screening List",
        ),
        Target(
            "ca_sema",
            "ca_sema_xml",
            (
                "https://www.international.gc.ca/world-monde/assets/office_docs/"
                "international_relations-relations_internationales/sanctions/sema-lmes.xml",
            ),
            "Canada Consolidated Autonomous Sanctions List",
        ),
        Target(
            "au_dfat",
            "au_dfat_xlsx",
            ("https://www.dfat.gov.au/sites/default/files/regulation8_consolidated.xlsx",),
            "Australia DFAT Consolidated List",
        ),
    )
}


def targets(names: Iterable[str] = ()) -> list[Target]:
    """The targets named (all default ones when none are named); unknown names are an error."""
    names = list(names)
    if not names:
        return [t for t in TARGETS.values() if t.default]
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        raise FetchError(
            f"unknown list {', '.join(unknown)}; known: {', '.join(sorted(TARGETS))}"
        )
    return [TARGETS[n] for n in names]


def rebase(url: str, base_url: str | None) -> str:
    """Replace scheme and host (and prefix the path) of an official URL, for mirrors and tests."""
    if not base_url:
        return url
    base, parts = urlsplit(base_url), urlsplit(url)
    path = base.path.rstrip("/") + parts.path
    return urlunsplit((base.scheme, base.netloc, path, parts.query, ""))


FileStatus = Literal["downloaded", "not_modified"]


@dataclass
class FetchedFile:
    name: str
    url: str
    status: FileStatus
    sha256: str
    size: int
    etag: str | None = None
    last_modified: str | None = None
    verified_by: str | None = None  # which server checksum confirmed the bytes, if any

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "url": self.url,
            "status": self.status,
            "sha256": self.sha256,
            "size": self.size,
            "verified_by": self.verified_by,
        }


# Called as progress(file_name, bytes_so_far, bytes_total_or_None) while downloading.
DownloadProgress = Callable[[str, int, int | None], None]

STATE_FILE = ".fetch-state.json"


@dataclass
class Download:
    """One target's files, staged. `changed` is False when every URL answered 304."""

    target: Target
    folder: Path
    staging: Path
    files: list[FetchedFile] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(f.status == "downloaded" for f in self.files)

    def commit(self) -> None:
        """Move the staged files into place and remember their validators for next time."""
        for f in self.files:
            if f.status == "downloaded":
                os.replace(self.staging / f.name, self.folder / f.name)
        state = _load_state(self.folder)
        for f in self.files:
            state[f.url] = {
                "file": f.name,
                "etag": f.etag,
                "last_modified": f.last_modified,
                "sha256": f.sha256,
                "size": f.size,
                "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        _write_atomic(self.folder / STATE_FILE, orjson.dumps(state, option=orjson.OPT_INDENT_2))
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _load_state(folder: Path) -> dict[str, dict[str, Any]]:
    try:
        data = orjson.loads((folder / STATE_FILE).read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def new_client(timeout: float = 60.0) -> httpx.Client:
    return httpx.Client(
        follow_redirects=True,  # the legacy OFAC paths redirect to the Sanctions List Service
        timeout=httpx.Timeout(timeout, connect=15.0),
        headers={"User-Agent": f"tradescreen/{_version}"},
    )


def download(
    target: Target,
    downloads: Path,
    *,
    client: httpx.Client,
    base_url: str | None = None,
    progress: DownloadProgress | None = None,
) -> Download:
    """Fetch a target's files into a staging folder under `downloads/<target>/`.

    Files answered 304 are linked into the staging folder from the current copy, so the staged
    folder always holds the complete set a reader needs.
    """
    folder = downloads / target.name
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f".staging-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    result = Download(target, folder, staging)
    state = _load_state(folder)
    try:
        for official in target.urls:
            url = rebase(official, base_url)
            name = urlsplit(official).path.rsplit("/", 1)[-1]
            current = folder / name
            known = state.get(url)
            # Only ask "changed since?" when our copy is intact; otherwise fetch it afresh.
            if known and not (current.is_file() and _sha256(current) == known.get("sha256")):
                known = None
            result.files.append(
                _get(client, url, name, staging, known, current, progress)
            )
    except BaseException:
        result.discard()
        raise
    return result


def _get(
    client: httpx.Client,
    url: str,
    name: str,
    staging: Path,
    known: dict[str, Any] | None,
    current: Path,
    progress: DownloadProgress | None,
) -> FetchedFile:
    headers: dict[str, str] = {}
    if known and known.get("etag"):
        headers["If-None-Match"] = known["etag"]
    if known and known.get("last_modified"):
        headers["If-Modified-Since"] = known["last_modified"]
    part = staging / f".{name}.part"
    try:
        with client.stream("GET", url, headers=headers) as resp:
            if resp.status_code == 304 and known:
                _link_or_copy(current, staging / name)
                return FetchedFile(
                    name, url, "not_modified", known["sha256"], int(known.get("size") or 0),
                    etag=resp.headers.get("ETag", known.get("etag")),
                    last_modified=resp.headers.get("Last-Modified", known.get("last_modified")),
                )
            if resp.status_code != 200:
                raise FetchError(f"{url}: HTTP {resp.status_code} {resp.reason_phrase}".rstrip())
            expected = _expected_length(resp)
            digest, md5, size = hashlib.sha256(), hashlib.md5(), 0
            with part.open("wb") as fh:
                for chunk in resp.iter_bytes(1 << 16):
                    fh.write(chunk)
                    digest.update(chunk)
                    md5.update(chunk)
                    size += len(chunk)
                    if progress is not None:
                        progress(name, size, expected)
                fh.flush()
                os.fsync(fh.fileno())
    except httpx.HTTPError as exc:
        if isinstance(exc, httpx.RemoteProtocolError) and "complete message body" in str(exc):
            # httpx's wording for a body shorter than its Content-Length: name it for what it is.
            raise FetchError(f"{url}: truncated download ({exc})") from exc
        raise FetchError(f"{url}: download failed ({exc})") from exc
    if expected is not None and size != expected:
        raise FetchError(f"{url}: truncated download ({size} of {expected} bytes)")
    if size == 0:
        raise FetchError(f"{url}: server sent an empty file")
    verified_by = _verify(url, resp.headers, digest, md5)
    os.replace(part, staging / name)
    return FetchedFile(
        name, url, "downloaded", digest.hexdigest(), size,
        etag=resp.headers.get("ETag"),
        last_modified=resp.headers.get("Last-Modified"),
        verified_by=verified_by,
    )


def _expected_length(resp: httpx.Response) -> int | None:
    # Content-Length counts encoded bytes; httpx hands us decoded ones, so only compare when the
    # body is sent as is.
    if resp.headers.get("Content-Encoding", "identity").lower() != "identity":
        return None
    value = resp.headers.get("Content-Length")
    return int(value) if value and value.isdigit() else None


def _verify(url: str, headers: httpx.Headers, sha256: Any, md5: Any) -> str | None:
    """Check the bytes against any checksum the server states; None when it states none."""
    claims: list[tuple[str, str, str]] = []  # (header, algorithm, expected hex)
    for header in ("Repr-Digest", "Digest"):
        for item in headers.get(header, "").split(","):
            algo, _, value = item.strip().partition("=")
            if algo.lower() in {"sha-256", "md5"} and value:
                claims.append((header, algo.lower(), _b64_to_hex(value.strip(":"))))
    if headers.get("Content-MD5"):
        claims.append(("Content-MD5", "md5", _b64_to_hex(headers["Content-MD5"])))
    if headers.get("X-Checksum-Sha256"):
        claims.append(("X-Checksum-Sha256", "sha-256", headers["X-Checksum-Sha256"].lower()))
    for header, algo, expected in claims:
        actual = (sha256 if algo == "sha-256" else md5).hexdigest()
        if actual != expected:
            raise FetchError(f"{url}: checksum mismatch ({header} says {expected}, got {actual})")
    return ", ".join(sorted({c[0] for c in claims})) or None


def _b64_to_hex(value: str) -> str:
    try:
        return base64.b64decode(value, validate=True).hex()
    except ValueError:
        return value.lower()  # some servers send hex where base64 is specified


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)

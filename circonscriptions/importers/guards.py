"""What an import refuses before it reads a file's contents: sizes, archives, vertices, codes.

Rules (each refusal is one French sentence naming the file, the line, the column or the cap):

- An uploaded file larger than QG_IMPORT_MAX_UPLOAD_BYTES (100 Mo by default) is refused
  by the upload form, before it is stored.
- A gzip file, or a zip archive (zipped shapefile, .xlsx workbook), is decompressed in
  streaming, 1 Mo at a time, and refused as soon as what came out passes
  QG_IMPORT_MAX_DECOMPRESSED_BYTES (500 Mo by default): a 1 Mo « zip bomb » is never
  expanded whole, in memory or on disk (a results file keeps at most the cap in memory,
  since it is read whole; a boundary file or a workbook is counted and dropped before
  GDAL or openpyxl opens it). A truncated or corrupt archive is refused too.
- A boundary file's vertices are counted from the features' WKB, before any geometry is
  built: more than QG_IMPORT_MAX_VERTICES in the file (2,000,000 by default) or
  QG_IMPORT_MAX_VERTICES_PER_FEATURE in one feature (200,000) refuses the file. The
  shared real files stay far below: the largest, départements with overseas (gzipped),
  has 193,971 vertices and at most 6,781 in one feature; the precise Finistère
  circonscriptions 42,226 and at most 7,481. A file at the caps is parsed by GDAL
  before it is counted (a 41 Mo GeoJSON of one feature with 1,000,001 vertices: refused
  in about 1 s, the process at 0.7 Go, where the import used to reach 2.5 Go).
- Codes (commune, bureau, circonscription, nuance) must have their documented shape:
  commune '29019' or '2A004', bureau letters and digits (at most 8), circonscription
  as the official files write it, nuance 1 to 12 letters or digits; a code starting with
  « = », « + », « - » or « @ » (a spreadsheet formula) or holding a control character is
  refused with its line, column and value. Any other text cell (candidate and list names,
  polling places, labels) is refused when it starts with « = » or « @ » or holds a
  control character: « + » and « - » are left to the numbers (a negative count is
  refused as such) and to names (the ministry writes « - » for a missing first name).
"""

import gzip
import re
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings

from circonscriptions.importers.base import ImportRefused, Problem

CHUNK = 1 << 20
# C0 controls except tab, line feed and carriage return (the CSV structure), and DEL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_IN_CELL = re.compile(r"[\x00-\x1f\x7f]")  # inside one cell, tabs and line breaks are controls too
_FORMULA = ("=", "+", "-", "@")


def megabytes(size: int) -> str:
    """1_048_576 → '1 Mo'; smaller sizes in octets (tests lower the caps)."""
    if size < CHUNK:
        return f"{size} octets"
    return f"{size / CHUNK:.0f} Mo".replace(".", ",")


def upload_size_refusal(size: int) -> str | None:
    """The French sentence refusing an upload of `size` bytes, or None when it is under the cap."""
    cap = settings.QG_IMPORT_MAX_UPLOAD_BYTES
    if size <= cap:
        return None
    return f"Le fichier fait {megabytes(size)}, au-delà des {megabytes(cap)} acceptés pour un import."


def _too_big(file_name: str, what: str) -> ImportRefused:
    cap = settings.QG_IMPORT_MAX_DECOMPRESSED_BYTES
    return ImportRefused(
        file_name,
        [Problem(f"{what} décompressé dépasse {megabytes(cap)} : fichier refusé avant d'être lu en entier")],
    )


def gunzip_capped(path: Path, file_name: str) -> bytes:
    """The decompressed bytes of a gzip file, read 1 Mo at a time and refused past the cap."""
    cap = settings.QG_IMPORT_MAX_DECOMPRESSED_BYTES
    parts, total = [], 0
    try:
        with gzip.open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                total += len(chunk)
                if total > cap:
                    raise _too_big(file_name, "le contenu gzip")
                parts.append(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise ImportRefused(
            file_name, [Problem("archive gzip illisible ou tronquée : le fichier n'a pas pu être décompressé")]
        ) from exc
    return b"".join(parts)


def archive_check(path: Path, file_name: str) -> None:
    """Refuse a gzip or zip file whose decompressed contents pass the cap (read, counted, dropped)."""
    with open(path, "rb") as handle:
        magic = handle.read(4)
    cap = settings.QG_IMPORT_MAX_DECOMPRESSED_BYTES
    if magic[:2] == b"\x1f\x8b":
        total = 0
        try:
            with gzip.open(path, "rb") as handle:
                while chunk := handle.read(CHUNK):
                    total += len(chunk)
                    if total > cap:
                        raise _too_big(file_name, "le contenu gzip")
        except (OSError, EOFError, zlib.error) as exc:
            raise ImportRefused(
                file_name, [Problem("archive gzip illisible ou tronquée : le fichier n'a pas pu être décompressé")]
            ) from exc
    elif magic == b"PK\x03\x04":
        total = 0
        try:
            with zipfile.ZipFile(path) as archive:
                for member in archive.infolist():
                    # The sizes the archive declares may lie: what comes out is counted.
                    with archive.open(member) as handle:
                        while chunk := handle.read(CHUNK):
                            total += len(chunk)
                            if total > cap:
                                raise _too_big(file_name, "le contenu de l'archive zip")
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as exc:
            raise ImportRefused(
                file_name, [Problem("archive zip illisible ou corrompue : le fichier n'a pas pu être décompressé")]
            ) from exc


# ---------------------------------------------------------------------------- vertices


def wkb_vertices(wkb: bytes) -> int:
    """The number of vertices of a WKB geometry (ISO or extended), read from its counts
    without building it. Raises ValueError on a truncated or unknown geometry."""

    def walk(offset: int) -> tuple[int, int]:
        if offset + 5 > len(wkb):
            raise ValueError("WKB tronqué")
        order = "<" if wkb[offset] == 1 else ">"
        (kind,) = struct.unpack_from(order + "I", wkb, offset + 1)
        offset += 5
        dims = 2 + bool(kind & 0x80000000) + bool(kind & 0x40000000)
        if kind & 0x20000000:
            offset += 4  # an SRID
        kind &= 0x0FFFFFFF
        dims += {0: 0, 1: 1, 2: 1, 3: 2}.get(kind // 1000, 0)
        kind %= 1000
        point = 8 * dims
        if kind == 1:
            return 1, offset + point
        (count,) = struct.unpack_from(order + "I", wkb, offset)
        offset += 4
        if kind == 2:
            return count, offset + count * point
        if kind == 3:
            total = 0
            for _ in range(count):
                (n,) = struct.unpack_from(order + "I", wkb, offset)
                offset += 4 + n * point
                total += n
            return total, offset
        if kind in (4, 5, 6, 7):
            total = 0
            for _ in range(count):
                n, offset = walk(offset)
                total += n
            return total, offset
        raise ValueError(f"type de géométrie WKB {kind} inconnu")

    try:
        total, end = walk(0)
    except struct.error as exc:
        raise ValueError("WKB tronqué") from exc
    if end > len(wkb):
        raise ValueError("WKB tronqué")
    return total


def vertex_check(geometries, file_name: str) -> int:
    """Refuse a layer (its features' WKB, in order) past the vertex caps; returns the total."""
    per_feature = settings.QG_IMPORT_MAX_VERTICES_PER_FEATURE
    cap = settings.QG_IMPORT_MAX_VERTICES
    problems, total = [], 0
    for index, wkb in enumerate(geometries):
        if wkb is None:
            continue
        try:
            count = wkb_vertices(bytes(wkb))
        except ValueError as exc:
            problems.append(Problem(f"géométrie illisible ({exc})", line=index + 1, column="geometry"))
            continue
        total += count
        if count > per_feature:
            problems.append(
                Problem(
                    f"{count} sommets dans cette entité, au-delà des {per_feature} acceptés par entité",
                    line=index + 1,
                    column="geometry",
                )
            )
        if len(problems) >= 20:
            break
    if total > cap:
        problems.insert(
            0,
            Problem(f"{total} sommets dans le fichier, au-delà des {cap} acceptés : simplifiez les contours"),
        )
    if problems:
        raise ImportRefused(file_name, problems)
    return total


# ---------------------------------------------------------------------------- codes


def visible(value) -> str:
    """A value as a refusal may quote it: control characters written \\xNN (PostgreSQL's
    JSON cannot hold a NUL, and a terminal should not receive the others), cut at 80."""
    text = "" if value is None else str(value)
    text = _CONTROL_IN_CELL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text if len(text) <= 80 else text[:79] + "…"


def unsafe_reason(value: str, *, dash: bool = True) -> str | None:
    """Why a cell may not be imported as it is: a formula start or a control character."""
    if _CONTROL_IN_CELL.search(value):
        return "caractère de contrôle dans la valeur"
    starts = _FORMULA if dash else tuple(c for c in _FORMULA if c not in "+-")
    if value[:1] in starts:
        return f"valeur commençant par « {value[0]} », refusée (elle serait lue comme une formule par un tableur)"
    return None


def shape_problems(
    values, lines, column: str, pattern: re.Pattern, expected: str, *, dash: bool = True, skip_empty: bool = True
) -> list[Problem]:
    """One problem per line whose value is unsafe or does not match `pattern` (`expected`
    says the shape in French); each distinct value is checked once."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    reasons: list[str | None] = []
    for value in uniques:
        text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
        if text == "" and skip_empty:
            reasons.append(None)
            continue
        reason = unsafe_reason(text, dash=dash)
        if reason is None and pattern is not None and not pattern.fullmatch(text):
            reason = f"forme inattendue : {expected}"
        reasons.append(reason)
    flagged = np.array([reason is not None for reason in reasons] + [False], dtype=bool)  # -1: a missing value
    problems = []
    for position in np.flatnonzero(flagged[codes]):
        value = uniques[codes[position]]
        problems.append(
            Problem(reasons[codes[position]], line=int(lines[position]), column=column, value=visible(value))
        )
    return problems


COMMUNE_CODE = re.compile(r"\d{5}|2[AB]\d{3}")
STATION_CODE = re.compile(r"[0-9A-Z]{1,8}")
NUANCE_CODE = re.compile(r"[A-Za-z0-9]{1,12}")

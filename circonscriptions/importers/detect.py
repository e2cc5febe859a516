"""Reading a results file as published: compression, encoding, separator, number formats.

The ministry publishes CSV in UTF-8, CP1252, Latin-1 and once CP850; cities export
with ';' or ','; counts may come as '1203', '1 203', '1203,0' (spreadsheet exports)
and percentages as '78,94%' or '78.94'. Nothing here guesses silently: the chosen
encoding, separator and decimal mark are reported in the import summary.

A file that is not what it claims is refused with a French sentence, never read as
garbage: empty (or empty once decompressed), holding NUL bytes (a workbook, an archive,
a binary), full of control characters (random bytes), mixing UTF-8 lines and 8-bit
lines (two files pasted together), or a header that is not a CSV line. A spreadsheet's
« Unicode text » export (UTF-16, with or without its byte-order mark) is decoded.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from circonscriptions.importers.base import ImportRefused, Problem
from circonscriptions.importers.guards import CONTROL, gunzip_capped

# Letters French files are full of: the encoding that yields most of them wins.
_FRENCH = set("éèêëàâçôîïûùÉÈÊÀÂÇÔÎÛ")
# Box-drawing and other characters that only appear when CP850 bytes are read as something else, or vice versa.
_UNLIKELY = set("ÚÙ┐└┴┬├─┼╚╔╩╦╠═╬¤¦§¨©ª«¬®¯°±²³´µ¶·¸¹º»¼½¾¿×÷‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ")
SEPARATORS = (";", ",", "\t", "|")


@dataclass(frozen=True)
class SourceText:
    """The file's bytes (decompressed, UTF-16 turned into UTF-8) and what was detected;
    pandas decodes the bytes itself with `encoding`; `original` is the file's own
    encoding, as the summary reports it."""

    raw: bytes
    encoding: str
    separator: str
    header: list[str]
    gzipped: bool
    original: str = ""

    @property
    def text(self) -> str:
        return self.raw.decode(self.encoding)


def read_bytes(path: Path, file_name: str | None = None) -> tuple[bytes, bool]:
    """The file's bytes; a gzip file is decompressed in streaming, under the cap of `guards`."""
    with open(path, "rb") as handle:
        magic = handle.read(2)
    if magic == b"\x1f\x8b":
        return gunzip_capped(path, file_name or path.name), True
    return path.read_bytes(), False


def _refuse(file_name: str, message: str, line: int | None = None) -> ImportRefused:
    return ImportRefused(file_name, [Problem(message, line=line)])


def _utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when every other byte of the sample is NUL (ASCII text
    written in UTF-16 without its byte-order mark), else None."""
    even, odd = sample[0::2], sample[1::2]
    if len(odd) < 8:
        return None
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def text_bytes(raw: bytes, file_name: str) -> tuple[bytes, str | None]:
    """Bytes an 8-bit or UTF-8 reader can take, and the UTF-16 encoding they came from.

    A spreadsheet's « Unicode text » export is UTF-16 with a byte-order mark: it is a
    legitimate export and is decoded (also without the mark, when every other byte is
    NUL). Any other NUL byte means the file is not text (a workbook, an archive, a
    binary): refused, naming the first line holding one.
    """
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise _refuse(file_name, "le fichier est encodé en UTF-32, que QG ne lit pas : enregistrez-le en UTF-8")
    utf16 = "utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else None
    if utf16 is None and b"\x00" in raw[: 1 << 16]:
        utf16 = _utf16_without_bom(raw[:4096])
    if utf16:
        try:
            return raw.decode(utf16).encode("utf-8"), utf16
        except UnicodeDecodeError:
            raise _refuse(
                file_name,
                f"le fichier se présente comme de l'UTF-16 ({utf16}) mais ne se décode pas comme tel "
                "(octets en nombre impair ou caractères invalides) : enregistrez-le en UTF-8",
            ) from None
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise _refuse(
            file_name,
            "le fichier contient des octets nuls (NUL) dès cette ligne : ce n'est pas un fichier CSV texte "
            "(tableur, archive ou fichier binaire ?) ; enregistrez-le en CSV UTF-8",
            line=line,
        )
    return raw, None


def mixed_encodings(raw: bytes) -> tuple[int, int] | None:
    """(a line in UTF-8, a line that is not) when a file that is not UTF-8 as a whole has
    lines that are: two files of different encodings pasted together. None otherwise."""
    utf8_line = other_line = None
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other_line = other_line or number
        else:
            utf8_line = utf8_line or number
        if utf8_line and other_line:
            return utf8_line, other_line
    return None


def detect_encoding(raw: bytes) -> str:
    """UTF-8 when the bytes decode as UTF-8; otherwise the 8-bit code page whose reading looks most French."""
    try:
        raw.decode("utf-8")
        return "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        pass
    sample = raw[: 1 << 20]
    best, best_score = "latin-1", None
    for encoding in ("cp1252", "cp850", "latin-1"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue  # cp1252 leaves five bytes undefined: then it is not cp1252
        score = sum(ch in _FRENCH for ch in text) - 3 * sum(ch in _UNLIKELY for ch in text)
        if best_score is None or score > best_score:
            best, best_score = encoding, score
    return best


def detect_separator(header_line: str) -> str:
    """The candidate separator that splits the header into the most fields (quotes ignored)."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {sep: unquoted.count(sep) for sep in SEPARATORS}
    return max(counts, key=lambda sep: counts[sep])


def read_source(path: Path, file_name: str | None = None) -> SourceText:
    """Read, decompress and decode a CSV file, or refuse it in French: empty, not text,
    NUL bytes, mixed encodings, control characters, an unreadable header."""
    name = file_name or path.name
    raw, gzipped = read_bytes(path, name)
    raw, utf16 = text_bytes(raw, name)
    if not raw.strip(b" \t\r\n\xef\xbb\xbf"):
        raise _refuse(name, "le fichier est vide" + (" une fois décompressé" if gzipped else ""))
    encoding = "utf-8" if utf16 else detect_encoding(raw)
    sample = raw[: 1 << 20].decode(encoding, errors="replace")
    controls = len(CONTROL.findall(sample))
    if controls > max(10, len(sample) // 100):
        raise _refuse(
            name,
            f"le fichier n'est pas un fichier texte CSV : {controls} caractères de contrôle dans son premier Mo "
            "(fichier binaire ou aléatoire ?)",
        )
    if encoding not in ("utf-8", "utf-8-sig"):
        mixed = mixed_encodings(raw)
        if mixed:
            raise _refuse(
                name,
                f"le fichier mêle deux encodages : la ligne {mixed[0]} est en UTF-8, la ligne {mixed[1]} dans un "
                "encodage 8 bits (Windows-1252, Latin-1 ou CP850) ; enregistrez-le en entier dans un seul "
                "encodage, UTF-8 de préférence",
                line=mixed[1],
            )
    end = raw.find(b"\n")
    first = (raw if end < 0 else raw[:end]).decode(encoding).rstrip("\r")
    if CONTROL.search(first):
        raise _refuse(name, "l'en-tête contient des caractères de contrôle : ce n'est pas un en-tête CSV", line=1)
    separator = detect_separator(first)
    try:
        header = next(
            iter(pd.read_csv(_io(first), sep=separator, header=None, dtype=str, keep_default_na=False).values)
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, StopIteration):
        raise _refuse(name, "l'en-tête ne se lit pas comme une ligne CSV (guillemet non fermé ?)", line=1) from None
    return SourceText(
        raw=raw,
        encoding=encoding,
        separator=separator,
        header=[str(h).strip() for h in header],
        gzipped=gzipped,
        original=utf16 or encoding,
    )


def _io(text: str):
    import io

    return io.StringIO(text)


def detect_decimal(values: pd.Series) -> str:
    """',' when the non-integer numbers of a column are written with a decimal comma, else '.'."""
    sample = values.dropna().astype(str).head(2000)
    commas = sample.str.contains(r"^\s*-?\d+,\d+\s*%?\s*$", regex=True).sum()
    points = sample.str.contains(r"^\s*-?\d+\.\d+\s*%?\s*$", regex=True).sum()
    return "," if commas > points else "."


@dataclass
class IntColumn:
    """A column read as whole numbers: `values` (int64, 0 where missing), `missing`, `bad` (with why)."""

    values: np.ndarray
    missing: np.ndarray
    bad: np.ndarray
    reason: np.ndarray
    raw: pd.Series


def read_int_column(series: pd.Series) -> IntColumn:
    """Whole non-negative counts, whatever pandas made of the column.

    '1 203' (thin or non-breaking spaces), '1203,0' and '1203.0' are accepted: they are
    the same number. '12,5', '-3', 'abc' are refused by the caller with their reason.
    """
    n = len(series)
    reason = np.full(n, "", dtype=object)
    if pd.api.types.is_integer_dtype(series.dtype):
        values = series.to_numpy(np.int64)
        missing = np.zeros(n, dtype=bool)
    else:
        if pd.api.types.is_float_dtype(series.dtype):
            numbers = series.to_numpy(np.float64)
            missing = np.isnan(numbers)
            unreadable = np.zeros(n, dtype=bool)
        else:
            text = series.astype("string").str.strip()
            missing = (text.isna() | (text == "")).to_numpy(bool)
            cleaned = text.str.replace(r"[\s\u00a0\u202f]", "", regex=True).str.replace(",", ".", regex=False)
            numbers = pd.to_numeric(cleaned, errors="coerce").to_numpy(np.float64, na_value=np.nan)
            unreadable = np.isnan(numbers) & ~missing
            reason[unreadable] = "nombre illisible"
        fractional = ~np.isnan(numbers) & (np.floor(np.nan_to_num(numbers)) != np.nan_to_num(numbers))
        reason[fractional] = "nombre non entier"
        unreadable = unreadable | fractional
        values = np.where(np.isnan(numbers) | fractional, 0, np.nan_to_num(numbers)).astype(np.int64)
        missing = missing & ~unreadable
    negative = values < 0
    reason[negative] = "nombre négatif"
    bad = (reason != "").astype(bool)
    return IntColumn(values=values, missing=missing, bad=bad, reason=reason, raw=series)


def detect_number_format(source: SourceText) -> dict:
    """The decimal mark of the file's percentage and ratio columns, and whether their cells
    carry a '%' sign, read from its first lines (counts are whole numbers either way)."""
    import io

    sample = pd.read_csv(
        io.BytesIO(source.raw),
        encoding=source.encoding,
        sep=source.separator,
        nrows=500,
        dtype=str,
        keep_default_na=False,
    )
    columns = [
        c for c in sample.columns if any(mark in str(c) for mark in ("%", "Rapport", "Participation", "pourcentage"))
    ]
    if not columns:
        return {}
    values = pd.concat([sample[c] for c in columns], ignore_index=True)
    values = values[values.str.strip() != ""]
    return {"decimal": detect_decimal(values), "percent_cells": bool(values.str.contains("%", regex=False).any())}

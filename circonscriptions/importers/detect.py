"""Reading a results file as published: compression, encoding, separator, number formats.

The ministry publishes CSV in UTF-8, CP1252, Latin-1 and once CP850; cities export
with ';' or ','; counts may come as '1203', '1 203', '1203,0' (spreadsheet exports)
and percentages as '78,94%' or '78.94'. Nothing here guesses silently: the chosen
encoding, separator and decimal mark are reported in the import summary.
"""

import gzip
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

# Letters French files are full of: the encoding that yields most of them wins.
_FRENCH = set("éèêëàâçôîïûùÉÈÊÀÂÇÔÎÛ")
# Box-drawing and other characters that only appear when CP850 bytes are read as something else, or vice versa.
_UNLIKELY = set("ÚÙ┐└┴┬├─┼╚╔╩╦╠═╬¤¦§¨©ª«¬®¯°±²³´µ¶·¸¹º»¼½¾¿×÷‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ")
SEPARATORS = (";", ",", "\t", "|")


@dataclass(frozen=True)
class SourceText:
    """The file's bytes (decompressed) and what was detected; pandas decodes the bytes itself."""

    raw: bytes
    encoding: str
    separator: str
    header: list[str]
    gzipped: bool

    @property
    def text(self) -> str:
        return self.raw.decode(self.encoding)


def read_bytes(path: Path) -> tuple[bytes, bool]:
    with open(path, "rb") as handle:
        raw = handle.read()
    if raw[:2] == b"\x1f\x8b":
        return gzip.decompress(raw), True
    return raw, False


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


def read_source(path: Path) -> SourceText:
    raw, gzipped = read_bytes(path)
    encoding = detect_encoding(raw)
    end = raw.find(b"\n")
    first = (raw if end < 0 else raw[:end]).decode(encoding).rstrip("\r")
    separator = detect_separator(first)
    header = next(iter(pd.read_csv(_io(first), sep=separator, header=None, dtype=str, keep_default_na=False).values))
    return SourceText(
        raw=raw, encoding=encoding, separator=separator, header=[str(h).strip() for h in header], gzipped=gzipped
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

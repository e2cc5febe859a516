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
        from circonscriptions.stations import station_label

        return station_label(commune=self.commune.name, code=self.code, name=self.name, place=self.place)

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
    # Made by the simulation of a campaign experiment (observations/evaluation.py), never a real
    # vote: profiles, back-tests, the electoral calendar and the results pages leave it out.
    simulated = models.BooleanField(_("simulated"), default=False)

    class Meta:
        ordering = ["-year", "kind", "round"]
        verbose_name = _("election")
        verbose_name_plural = _("elections")

    def __str__(self) -> str:
        label = f"{self.get_kind_display()} {self.year}, {_('round')} {self.round}"
        return f"{label} ({_('simulated')})" if self.simulated else label

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


class CandidateNuance(models.Model):
    """An analyst's choice of nuance for one candidate or list of one election, by name.

    Set through `nuance_services.candidate_nuance_set`, which relabels the votes already
    imported; the results importer applies it again to every later file of the election,
    so that a re-import never undoes it.
    """

    election = models.ForeignKey(Election, models.CASCADE, related_name="candidate_nuances")
    candidate = models.CharField(_("candidate or list"), max_length=200)
    code = models.CharField(_("nuance code"), max_length=12)
    set_by = models.CharField(_("set by"), max_length=254, blank=True)
    set_at = models.DateTimeField(_("set at"))

    class Meta:
        ordering = ["election", "candidate"]
        constraints = [models.UniqueConstraint(fields=["election", "candidate"], name="candidate_nuance_unique")]
        verbose_name = _("candidate's nuance")
        verbose_name_plural = _("candidates' nuances")

    def __str__(self) -> str:
        return f"{self.candidate} → {self.code}"


class ImportRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        UNCHANGED = "unchanged", _("unchanged (same file)")
        FAILED = "failed", _("refused")

    kind = models.CharField(_("kind"), max_length=40)
    file_name = models.CharField(_("file"), max_length=300)
    # The uploaded file, when the import was started from the admin (kept through Django's storage API).
    upload = models.FileField(_("uploaded file"), upload_to="imports/%Y/%m/", blank=True)
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

    @property
    def kind_label(self) -> str:
        """The kind as the admin's import page names it (« Résultats électoraux »), not its code."""
        from circonscriptions.importers import registry

        kind = registry.kinds().get(self.kind)
        return kind.label if kind else self.kind

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

    # No index of its own: the unique (election, polling_station) index starts with it. No
    # database constraint either: an import writes ~70,000 rows that all name the one
    # election it has just read, which PostgreSQL would look up again row by row; the ORM
    # keeps the cascade when an election is deleted.
    election = models.ForeignKey(
        Election, models.CASCADE, related_name="polling_station_results", db_index=False, db_constraint=False
    )
    polling_station = models.ForeignKey(PollingStation, models.CASCADE, related_name="results")
    # Which import wrote the row: provenance only, nulled by the ORM when the run is deleted;
    # no database constraint, which would be checked row by row on a national import.
    import_run = models.ForeignKey(
        ImportRun, models.SET_NULL, null=True, blank=True, related_name="+", db_constraint=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "polling_station"], name="ps_result_unique"),
        ]
        verbose_name = _("result by polling station")
        verbose_name_plural = _("results by polling station")


class CirconscriptionResult(ResultCounts):
    SCOPE_PATH = "circonscription__departement__code"

    # No index of its own: the unique (election, circonscription) index starts with it.
    election = models.ForeignKey(Election, models.CASCADE, related_name="circonscription_results", db_index=False)
    circonscription = models.ForeignKey(Circonscription, models.CASCADE, related_name="results")
    import_run = models.ForeignKey(
        ImportRun, models.SET_NULL, null=True, blank=True, related_name="+", db_constraint=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "circonscription"], name="circo_result_unique"),
        ]
        verbose_name = _("result by circonscription")
        verbose_name_plural = _("results by circonscription")


class Votes(models.Model):
    """One candidate's (or list's) votes in one result.

    The votes tables are the big ones (~630,000 rows for one national election by
    bureau), written only by the results importer. Their two foreign keys are kept in
    the ORM (cascade from the result; RESTRICT of the nuance: a nuance still used cannot be
    deleted alone, but goes with its election, results and votes) but without a database
    constraint: PostgreSQL checks a constraint row by row, which took longer than the
    rest of a national import. The importer checks the same thing set-based before it
    commits (every result and nuance id it writes exists), see importers/results.py.
    A row is identified by its result and panel number (the primary key, whose index
    is the table's only one: each index costs as much as the insert itself at that size).
    """

    panel = models.PositiveSmallIntegerField(_("panel number"))
    nuance = models.ForeignKey(
        Nuance, models.RESTRICT, null=True, blank=True, related_name="+", db_index=False, db_constraint=False
    )
    candidate = models.CharField(_("candidate or list"), max_length=200)
    votes = models.PositiveIntegerField(_("votes"))

    class Meta:
        abstract = True


class PollingStationVotes(Votes):
    pk = models.CompositePrimaryKey("result", "panel")
    result = models.ForeignKey(
        PollingStationResult, models.CASCADE, related_name="votes", db_index=False, db_constraint=False
    )


class CirconscriptionVotes(Votes):
    pk = models.CompositePrimaryKey("result", "panel")
    result = models.ForeignKey(
        CirconscriptionResult, models.CASCADE, related_name="votes", db_index=False, db_constraint=False
    )


class IndicatorVariable(models.Model):
    """One INSEE variable, as its source names it ('actcho', 'taux_diplome_universitaire_total')."""

    code = models.CharField(_("code"), max_length=80)
    source = models.CharField(_("source"), max_length=120)
    label = models.CharField(_("label"), max_length=300, blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    origin = models.CharField(_("producer and vintage"), max_length=300, blank=True)

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


# ---------------------------------------------------------------------------------------------
# Voter profiles: computed by circonscriptions/profiles/services.py with the rules of
# circonscriptions/profiles/rules.py. A recompute writes a new ProfileRun and its rows, then
# switches the "current" flag in one transaction: readers only ever see a complete run.


class ProfileSettings(models.Model):
    """The profile parameters HQ analysts set in the admin (one row; see circonscriptions/profiles/rules.py)."""

    half_life_years = models.FloatField(
        _("half-life of an election's weight (years)"),
        default=5.0,
        help_text=_("An election this many years older than the latest one counts half as much."),
    )
    first_rounds_only = models.BooleanField(
        _("first rounds only"),
        default=True,
        help_text=_("Second rounds are duels in which whole blocs are absent."),
    )
    leaning_margin = models.FloatField(
        _("leaning threshold (share of expressed votes)"),
        default=0.05,
        help_text=_(
            "Left lead over the strongest opposing bloc beyond which a polling station leans (0.05 = 5 points)."
        ),
    )
    margin_sd_floor = models.FloatField(
        _("minimum spread of the margin"),
        default=0.05,
        help_text=_("Used for the confidence when the elections loaded are too few to measure the spread."),
    )
    hotspot_z = models.FloatField(
        _("abstention hotspot z-score"),
        default=1.0,
        help_text=_("Standard deviations above both the circonscription's and the département's mean abstention."),
    )
    hotspot_min_group = models.PositiveSmallIntegerField(_("minimum polling stations to compare with"), default=3)
    doors_per_hour = models.FloatField(_("doors knocked per hour"), default=12.0)
    contact_rate = models.FloatField(_("share of doors that open"), default=0.5)
    mobilisation_effect = models.FloatField(
        _("chance that a visit brings an abstainer to vote"),
        default=0.14,
        help_text=_(
            "Green & Gerber, Get Out the Vote: about 1 vote per 14 contacts (US). Pons 2018 found none in France."
        ),
    )
    persuasion_effect = models.FloatField(
        _("votes won per voter met (persuasion)"),
        default=0.10,
        help_text=_("Pons, American Economic Review 2018: about 0.11 vote per door opened in the 2012 campaign."),
    )
    persuasion_effect_low = models.FloatField(_("persuasion effect, low end of its range"), default=0.03)
    persuasion_effect_high = models.FloatField(_("persuasion effect, high end of its range"), default=0.15)
    mobilisation_effect_low = models.FloatField(_("mobilisation effect, low end of its range"), default=0.0)
    mobilisation_effect_high = models.FloatField(_("mobilisation effect, high end of its range"), default=0.14)
    activist_hours = models.FloatField(
        _("activist-hours the priority is computed for"),
        default=20.0,
        help_text=_("Votes won by this many hours of door-to-door in one polling station (returns diminish)."),
    )
    contact_rate_min_reports = models.PositiveIntegerField(
        _("field reports needed to use the observed contact rate"),
        default=20,
        help_text=_("Below this many observations with doors knocked, the contact rate above is used."),
    )
    unlabelled_threshold = models.FloatField(
        _("largest share of votes without a usable nuance"),
        default=0.10,
        help_text=_(
            "An election in which more of a polling station's expressed votes have no usable nuance "
            "does not count in its leaning, trend or volatility."
        ),
    )
    redistricting_threshold = models.FloatField(
        _("change in registered voters that suggests a redrawn polling station"),
        default=0.15,
        help_text=_("Between two elections, as a share of the earlier count (0.15 = 15 %)."),
    )
    margin_sd_scale = models.FloatField(
        _("calibration factor of the margin's spread"),
        default=1.0,
        help_text=_("Set from a back-test so that the stated confidence matches what the next election showed."),
    )
    max_types = models.PositiveSmallIntegerField(_("maximum profile types per circonscription"), default=6)
    kmeans_starts = models.PositiveSmallIntegerField(_("k-means starts per number of types"), default=10)
    min_type_size = models.PositiveSmallIntegerField(_("polling stations per profile type, at least"), default=5)
    type_distinct_delta = models.FloatField(
        _("gap that names a profile type"),
        default=0.03,
        help_text=_("A type is called abstentionist, or strong for a bloc, when it differs by this much."),
    )
    kmeans_seed = models.PositiveIntegerField(_("grouping seed"), default=2012)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("profile settings")
        verbose_name_plural = _("profile settings")

    def __str__(self) -> str:
        return str(_("Profile settings"))

    @classmethod
    def load(cls) -> "ProfileSettings":
        settings, _created = cls.objects.get_or_create(pk=1)
        return settings

    def parameters(self):
        from circonscriptions.profiles.parameters import ProfileParameters

        return ProfileParameters.from_dict({f.name: getattr(self, f.name) for f in self._meta.concrete_fields})


class Leaning(models.TextChoices):
    """Where the left is behind, the class names the bloc ahead: activists must know whom they face."""

    LEFT = "left", _("leaning left")
    SWING = "swing", _("swing")
    CENTRE = "centre", _("led by the centre (Ensemble)")
    RIGHT = "right", _("led by the right")
    FAR_RIGHT = "far_right", _("led by the far right")


class ProfileRunQuerySet(models.QuerySet["ProfileRun"]):
    def current(self) -> "ProfileRun | None":
        return self.filter(is_current=True).first()


class ProfileRun(models.Model):
    """One recompute of every profile; `is_current` marks the complete run that pages show."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    started_by = models.CharField(_("started by"), max_length=254, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    is_current = models.BooleanField(_("current"), default=False)
    parameters = models.JSONField(_("parameters"), default=dict)
    elections = models.JSONField(_("elections"), default=list, blank=True)
    stations = models.PositiveIntegerField(_("polling stations"), default=0)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Where each figure the run used came from, e.g. {"contact_rate": {"value": 0.43, "source": "…"}}.
    sources = models.JSONField(_("sources of the parameters used"), default=dict, blank=True)

    objects = ProfileRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="profile_run_one_current"
            )
        ]
        verbose_name = _("profile run")
        verbose_name_plural = _("profile runs")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"


class ProfileType(models.Model):
    """A profil-type: one of the few kinds of polling station of a circonscription, in one run."""

    SCOPE_PATH = "circonscription__departement__code"

    run = models.ForeignKey(ProfileRun, models.CASCADE, related_name="types")
    circonscription = models.ForeignKey(Circonscription, models.CASCADE, related_name="profile_types")
    key = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    count = models.PositiveIntegerField(_("polling stations"))
    centroid = models.JSONField(_("mean figures"), default=dict)
    # Mean adjusted Rand index between the grouping and those from other seeds (1 = the same grouping whatever
    # the seed, about 0 = chance); the same for every type of a circonscription (see profiles/types.py).
    stability = models.FloatField(_("stability"), null=True, blank=True)

    class Meta:
        ordering = ["circonscription", "key"]
        constraints = [
            models.UniqueConstraint(fields=["run", "circonscription", "key"], name="profile_type_unique_key")
        ]
        verbose_name = _("profile type")
        verbose_name_plural = _("profile types")

    def __str__(self) -> str:
        return self.name


class PollingStationProfileQuerySet(models.QuerySet):
    def current(self) -> "PollingStationProfileQuerySet":
        return self.filter(run__is_current=True)


class PollingStationProfile(models.Model):
    """Every figure of one polling station in one run; shares and rates are fractions (0.25 = 25 %).

    Written only by profiles_recompute, in one transaction, from ids it has just read or
    created. Its foreign keys are kept in the ORM (Django cascades and nulls them) but have
    no database constraint: PostgreSQL checked four constraints per row, which took longer
    than computing the profiles of the whole country (about 4 s of a 10 s recompute).
    Indexes: (run, polling_station) unique, (run, circonscription), and polling_station
    for deletes; the others would only slow the writes.
    """

    SCOPE_PATH = "polling_station__commune__departement__code"

    run = models.ForeignKey(ProfileRun, models.CASCADE, related_name="profiles", db_index=False, db_constraint=False)
    polling_station = models.ForeignKey(PollingStation, models.CASCADE, related_name="profiles", db_constraint=False)
    circonscription = models.ForeignKey(
        Circonscription,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="polling_station_profiles",
        db_index=False,
        db_constraint=False,
    )
    profile_type = models.ForeignKey(
        ProfileType,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="profiles",
        db_index=False,
        db_constraint=False,
    )
    n_elections = models.PositiveSmallIntegerField(_("elections"))
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    share_expr_left = models.FloatField(_("left, share of expressed"), null=True)
    share_expr_centre = models.FloatField(_("centre, share of expressed"), null=True)
    share_expr_right = models.FloatField(_("right, share of expressed"), null=True)
    share_expr_far_right = models.FloatField(_("far right, share of expressed"), null=True)
    share_expr_other = models.FloatField(_("other, share of expressed"), null=True)
    share_reg_left = models.FloatField(_("left, share of registered"), null=True)
    share_reg_centre = models.FloatField(_("centre, share of registered"), null=True)
    share_reg_right = models.FloatField(_("right, share of registered"), null=True)
    share_reg_far_right = models.FloatField(_("far right, share of registered"), null=True)
    share_reg_other = models.FloatField(_("other, share of registered"), null=True)
    abstention_rate_last = models.FloatField(_("abstention, latest election"), null=True)
    abstention_rate_avg = models.FloatField(_("abstention, weighted average"), null=True)
    left_share_trend = models.FloatField(_("left share trend (per year)"), null=True)
    abstention_trend = models.FloatField(_("abstention trend (per year)"), null=True)
    volatility = models.FloatField(_("volatility"), null=True)
    margin_avg = models.FloatField(_("left margin, weighted average"), null=True)
    margin_sd = models.FloatField(_("left margin, spread"), null=True)
    leaning = models.CharField(_("leaning"), max_length=9, choices=Leaning.choices)
    confidence = models.FloatField(_("confidence"))
    # The strongest opposing bloc on average (centre, right or far_right), whatever the leaning.
    opponent = models.CharField(_("main opponent"), max_length=9, blank=True)
    # Weighted mean of (bureau − circonscription) and (bureau − nation) left shares in the same election.
    left_gap_circonscription = models.FloatField(_("left share gap with the circonscription"), null=True)
    left_gap_nation = models.FloatField(_("left share gap with the nation"), null=True)
    # Présidentielle turnout minus législatives/européennes turnout: voters who come only to the big ones.
    turnout_differential = models.FloatField(_("differential turnout"), null=True)
    turnout_differential_hotspot = models.BooleanField(_("intermittent voters hotspot"), default=False)
    persuadable_share = models.FloatField(_("persuadable voters, share of registered"), null=True)
    priority_low = models.FloatField(_("priority, low end (votes)"), null=True)
    priority_high = models.FloatField(_("priority, high end (votes)"), null=True)
    # Elections left out of this bureau's figures, and why: [{"election": slug, "label": …, "reason": …}].
    excluded_elections = models.JSONField(_("elections left out"), default=list, blank=True)
    redistricting_suspected = models.BooleanField(_("probable redrawing"), default=False)
    redistricting_note = models.CharField(_("redrawing note"), max_length=300, blank=True)
    abstention_z_circonscription = models.FloatField(_("abstention z-score in the circonscription"), null=True)
    abstention_z_departement = models.FloatField(_("abstention z-score in the département"), null=True)
    abstention_hotspot = models.BooleanField(_("abstention hotspot"))
    left_abstention_hotspot = models.BooleanField(_("left abstention hotspot"))
    mobilisation_score = models.FloatField(_("mobilisation (votes per hour)"), null=True)
    persuasion_score = models.FloatField(_("persuasion (votes per hour)"), null=True)
    priority_score = models.FloatField(_("priority (votes per hour)"), null=True)
    rank_circonscription = models.PositiveIntegerField(_("rank in the circonscription"), null=True)
    rank_departement = models.PositiveIntegerField(_("rank in the federation"), null=True)
    rank_nation = models.PositiveIntegerField(_("rank in the nation"), null=True)

    objects = PollingStationProfileQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "polling_station"], name="ps_profile_unique_station")]
        indexes = [models.Index(fields=["run", "circonscription"], name="ps_profile_run_circo")]
        verbose_name = _("polling station profile")
        verbose_name_plural = _("polling station profiles")

    def __str__(self) -> str:
        return f"{self.polling_station_id} ({self.get_leaning_display()})"


class PollingStationIndicator(models.Model):
    """A socio-economic value carried to a polling station's contour by areal weighting, in one run.

    Rates, shares and averages get the mean of the overlapping territories' values weighted
    by overlapping area; counts (population…) get each territory's value times the share
    of its area inside the polling station. Both assume the territory is uniform inside.
    `coverage` is the share of the station's area covered by territories with a value.
    """

    SCOPE_PATH = "polling_station__commune__departement__code"

    # Same reason as PollingStationProfile: no per-row constraint checks on a bulk write.
    run = models.ForeignKey(ProfileRun, models.CASCADE, related_name="indicators", db_index=False, db_constraint=False)
    polling_station = models.ForeignKey(
        PollingStation, models.CASCADE, related_name="profile_indicators", db_constraint=False
    )
    variable = models.ForeignKey(IndicatorVariable, models.CASCADE, related_name="+", db_constraint=False)
    vintage = models.CharField(_("vintage"), max_length=20)
    value = models.FloatField(_("value"))
    level = models.CharField(_("level of the source values"), max_length=20, choices=IndicatorValue.Level.choices)
    coverage = models.FloatField(_("share of the polling station covered"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "polling_station", "variable", "vintage"], name="ps_indicator_unique"
            )
        ]
        verbose_name = _("polling station indicator")
        verbose_name_plural = _("polling station indicators")

    def __str__(self) -> str:
        return f"{self.polling_station_id} {self.variable_id} {self.vintage}"


class ProfileBacktest(models.Model):
    """One back-test: profiles from the elections before `until`, checked bureau by bureau against `against`.

    The rule and the figures are described in circonscriptions/profiles/backtest.py.
    """

    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    started_by = models.CharField(_("started by"), max_length=254, blank=True)
    until = models.DateField(_("profiles from the elections before"))
    against = models.SlugField(_("checked against (election)"), max_length=40)
    against_label = models.CharField(_("checked against"), max_length=80, blank=True)
    elections = models.JSONField(_("elections the profiles come from"), default=list, blank=True)
    parameters = models.JSONField(_("parameters"), default=dict)
    # Counts, accuracy overall and per class, calibration table, Brier score, correlation, mean gap.
    figures = models.JSONField(_("figures"), default=dict)
    calibrated_scale = models.FloatField(_("calibrated spread factor"), null=True, blank=True)
    # Brier score and calibration table before and after, figures after, the scales tried.
    calibrated_figures = models.JSONField(_("figures after calibration"), default=dict, blank=True)
    scale_saved = models.BooleanField(_("calibrated factor saved to the settings"), default=False)
    # Same date, election and data: the same back-test (the demo does not run it twice).
    data_checksum = models.CharField(_("checksum of the results used"), max_length=64, blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("profile back-test")
        verbose_name_plural = _("profile back-tests")

    def __str__(self) -> str:
        return f"{self.until:%Y-%m-%d} → {self.against}"

"""People and organisation: accounts, federations, sections, roles, invitations.

A member's personal data is kept because they joined and agreed to it: the
membership stores the wording they accepted and when (GDPR art. 9 — political
opinion). Nothing here is about voters.
"""

import secrets
from datetime import timedelta

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.gis.db import models as gis_models
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from circonscriptions.models import Circonscription, Commune, Departement, PollingStation
from config.text_caps import text_cap_constraints
from hq.queries import FederationQuerySet, InvitationQuerySet, MembershipQuerySet, SectionQuerySet


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account: logs in with its e-mail address; there are no usernames."""

    # A user belongs to the département of their membership (the admin's user list is scoped).
    SCOPE_PATH = "membership__federation__departement__code"

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_staff = models.BooleanField(_("admin access"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Federation(models.Model):
    """The party's organisation in one département."""

    SCOPE_PATH = "departement__code"

    departement = models.OneToOneField(
        Departement, models.PROTECT, related_name="federation", verbose_name=_("département")
    )
    name = models.CharField(_("name"), max_length=120)

    objects = FederationQuerySet.as_manager()

    class Meta:
        ordering = ["departement__code"]
        verbose_name = _("federation")
        verbose_name_plural = _("federations")

    def __str__(self) -> str:
        return self.name


class Section(models.Model):
    """A local branch of the party: one or a few communes."""

    SCOPE_PATH = "federation__departement__code"

    federation = models.ForeignKey(Federation, models.CASCADE, related_name="sections", verbose_name=_("federation"))
    name = models.CharField(_("name"), max_length=120)
    communes = models.ManyToManyField(Commune, blank=True, related_name="sections", verbose_name=_("communes"))

    objects = SectionQuerySet.as_manager()

    class Meta:
        ordering = ["federation", "name"]
        constraints = [models.UniqueConstraint(fields=["federation", "name"], name="section_unique_name")]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    NATIONAL_HQ = "national_hq", _("national HQ")
    FEDERAL_HQ = "federal_hq", _("federal HQ")
    SECRETARY = "secretary", _("federation secretary")
    ACTIVIST = "activist", _("activist")


class Membership(models.Model):
    """A member's role in the party, where they belong, and their consent."""

    SCOPE_PATH = "federation__departement__code"

    user = models.OneToOneField(User, models.CASCADE, related_name="membership", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.ACTIVIST)
    federation = models.ForeignKey(
        Federation, models.PROTECT, null=True, blank=True, related_name="memberships", verbose_name=_("federation")
    )
    section = models.ForeignKey(
        Section, models.SET_NULL, null=True, blank=True, related_name="memberships", verbose_name=_("section")
    )
    consent_text = models.TextField(_("consent wording"), blank=True)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user__email"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="national_hq") | models.Q(federation__isnull=False),
                name="membership_federation_unless_national",
            )
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=14)


class Invitation(models.Model):
    """An e-mail invitation to join QG with a given role; the link holds a random token."""

    SCOPE_PATH = "federation__departement__code"

    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.ACTIVIST)
    federation = models.ForeignKey(
        Federation, models.CASCADE, null=True, blank=True, related_name="invitations", verbose_name=_("federation")
    )
    section = models.ForeignKey(
        Section, models.SET_NULL, null=True, blank=True, related_name="invitations", verbose_name=_("section")
    )
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        User, models.SET_NULL, null=True, related_name="invitations_sent", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), default=_invitation_expiry)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.email

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class WorkerHeartbeat(models.Model):
    """Written by a Celery task every minute: /healthz reports how fresh it is."""

    hostname = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.hostname} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class Cause(models.Model):
    """A theme: what activists care about and what people raise at the door
    (services publics, santé, école, logement…). The shared list of concerns."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    is_standard = models.BooleanField(
        _("in the standard list"), default=True, help_text=_("Shown as a ready-made choice in the forms.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("cause")
        verbose_name_plural = _("causes")

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    """Professional or associative experience a member or sympathiser brings (La Poste, hôpital…)."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self) -> str:
        return self.name


METHOD_TEXT_CAPS = {"script": 4000, "evidence": 4000, "sources": 2000, "legal_warning": 2000}


class Method(models.Model):
    """A kind of action (door-to-door, market stand, debate…), its practical script and its evidence."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    # Texts typed in the admin are capped like every free text (config/text_caps.py).
    script = models.TextField(_("practical script"), max_length=METHOD_TEXT_CAPS["script"], blank=True)
    evidence = models.TextField(_("evidence"), max_length=METHOD_TEXT_CAPS["evidence"], blank=True)
    sources = models.TextField(_("sources"), max_length=METHOD_TEXT_CAPS["sources"], blank=True)
    suits = models.JSONField(
        _("suits"),
        default=list,
        blank=True,
        help_text=_("Kinds of territory it suits: leanings (left, right, swing) and 'abstention'."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    legal_warning = models.TextField(
        _("legal warning"),
        max_length=METHOD_TEXT_CAPS["legal_warning"],
        blank=True,
        help_text=_("What election law requires of this action (gifts to voters, campaign accounts), shown with it."),
    )

    # The kinds of territory `suits` may name: the five leanings of the profiles and "abstention".
    SUITS_VOCABULARY = ("left", "swing", "centre", "right", "far_right", "abstention")
    # Before the leanings named the opponent (issue 9) "right" meant every bureau where the
    # left trails; stored rows were not migrated, so a list naming "right" but neither
    # "centre" nor "far_right" is read in that older sense. To aim at the right alone,
    # list it with another opposing bloc or leave it out.
    OPPOSING_KINDS = ("centre", "right", "far_right")

    class Meta:
        ordering = ["position", "name"]
        constraints = text_cap_constraints("method", METHOD_TEXT_CAPS)
        verbose_name = _("method")
        verbose_name_plural = _("methods")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        unknown = [str(kind) for kind in (self.suits or []) if kind not in self.SUITS_VOCABULARY]
        if unknown:
            raise ValidationError(
                {
                    "suits": _("Unknown kind of territory: %(kinds)s (expected: %(vocabulary)s).")
                    % {"kinds": ", ".join(unknown), "vocabulary": ", ".join(self.SUITS_VOCABULARY)}
                }
            )

    def suited_kinds(self) -> set[str]:
        """The kinds of territory this method suits, old "right" lists read as every opposing bloc."""
        kinds = {kind for kind in (self.suits or []) if kind in self.SUITS_VOCABULARY}
        if "right" in kinds and not kinds & {"centre", "far_right"}:
            kinds |= set(self.OPPOSING_KINDS)
        return kinds


LOCAL_ISSUE_TEXT_CAPS = {"description": 2000}


class LocalIssue(models.Model):
    """An « enjeu local »: a stake specific to a territory, written by HQ for the fiches."""

    SCOPE_PATH = "departement__code"

    departement = models.ForeignKey(Departement, models.CASCADE, related_name="local_issues")
    circonscription = models.ForeignKey(
        "circonscriptions.Circonscription", models.CASCADE, null=True, blank=True, related_name="local_issues"
    )
    commune = models.ForeignKey(Commune, models.CASCADE, null=True, blank=True, related_name="local_issues")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=LOCAL_ISSUE_TEXT_CAPS["description"], blank=True)
    causes = models.ManyToManyField(Cause, blank=True, related_name="local_issues")
    author = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["departement", "title"]
        constraints = text_cap_constraints("local_issue", LOCAL_ISSUE_TEXT_CAPS)
        verbose_name = _("local issue")
        verbose_name_plural = _("local issues")

    def __str__(self) -> str:
        return self.title


class FollowupStatus(models.TextChoices):
    TO_CONTACT = "to_contact", _("to contact")
    CONTACTED = "contacted", _("contacted")
    CAME = "came", _("came to an event or a mission")
    # A context of its own: the bare msgid "joined" is the date an account was created
    # (User.date_joined, « inscrit le »), which the funnel showed as its last step.
    MEMBER = "member", pgettext_lazy("follow-up step", "joined")


class Supporter(models.Model):
    """A sympathiser met in the field who agreed, explicitly, to be contacted again.

    There is no supporter without consent: the wording they were shown and the moment
    they agreed are stored with them (GDPR art. 9 — a contact of a party reveals a
    political opinion), and the database refuses a row without both. At least one way
    to reach them (e-mail or phone) is kept: that is what they agreed to.
    """

    SCOPE_PATH = "federation__departement__code"

    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="supporters", verbose_name=_("skills"))
    federation = models.ForeignKey(Federation, models.PROTECT, related_name="supporters", verbose_name=_("federation"))
    consent_text = models.TextField(_("consent wording"))
    consent_at = models.DateTimeField(_("consent given at"))
    # Consent to be kept on file lasts a few years (hq.RetentionSettings); asked again and
    # given again, it starts over from this date. The purge reads the later of the two.
    consent_renewed_at = models.DateTimeField(_("consent renewed at"), null=True, blank=True)
    added_by = models.ForeignKey(
        User, models.SET_NULL, null=True, blank=True, related_name="supporters_added", verbose_name=_("added by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Recruitment follow-up (founding text II.F): met on a mission, then contacted, then came
    # to an event or a mission, then joined. The date of the last step shows who waits too long.
    met_on_mission = models.ForeignKey(
        "Mission", models.SET_NULL, null=True, blank=True, related_name="supporters_met", verbose_name=_("met on")
    )
    followup_status = models.CharField(
        _("follow-up"), max_length=12, choices=FollowupStatus.choices, default=FollowupStatus.TO_CONTACT
    )
    followup_changed_at = models.DateTimeField(_("follow-up changed at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(consent_text=""), name="supporter_consent_wording"),
            models.CheckConstraint(condition=~models.Q(email="") | ~models.Q(phone=""), name="supporter_has_a_contact"),
        ]
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")

    def __str__(self) -> str:
        return self.name


class AuditAction(models.TextChoices):
    READ = "read", _("read a page listing people")
    EXPORT = "export", _("export of a person's data")
    ERASE = "erase", _("erasure of a person")
    ERASURE_REQUEST = "erasure_request", _("erasure asked by the person")
    # Campaign experiments: the draw of the controls (with its seed) and the launch that freezes it.
    EXPERIMENT_DRAW = "experiment_draw", _("draw of an experiment's control bureaux")
    EXPERIMENT_START = "experiment_start", _("launch of a campaign experiment")


class AuditEntry(models.Model):
    """Who read, exported or erased personal data: when, what, and why (append-only).

    A row is written once and never changed: the admin grants no change or delete
    permission, and a database trigger (migration 0007) refuses UPDATE and DELETE on the
    table. The actor is stored as an id and the e-mail address they had (not a foreign
    key: erasing the actor must not rewrite the log). A person read or acted upon is
    stored as a kind and an id only, never by name, so that the log keeps no identity of
    someone erased.
    """

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_email = models.CharField(_("actor"), max_length=254, blank=True)
    actor_role = models.CharField(_("actor's role"), max_length=12, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    page = models.CharField(_("page"), max_length=120, blank=True)
    target = models.CharField(_("object or filters"), max_length=500, blank=True)
    person_kind = models.CharField(_("person kind"), max_length=10, blank=True)
    person_id = models.BigIntegerField(_("person id"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["-at"]
        default_permissions = ("view",)
        indexes = [models.Index(fields=["person_kind", "person_id"], name="audit_person")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email or '—'} {self.action} {self.page}"


class ErasureRequest(models.Model):
    """A member's request, from their « Mes données » page, that QG erase them; their HQ executes it.

    Once executed the user is gone: the request keeps its dates and who handled it, not the person.
    """

    SCOPE_PATH = "federation__departement__code"

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DONE = "done", _("executed")

    user = models.ForeignKey(
        User, models.SET_NULL, null=True, blank=True, related_name="erasure_requests", verbose_name=_("person")
    )
    federation = models.ForeignKey(
        Federation, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("federation")
    )
    requested_at = models.DateTimeField(_("asked at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    handled_at = models.DateTimeField(_("executed at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        User, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("executed by")
    )

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")

    def __str__(self) -> str:
        return f"{self.requested_at:%Y-%m-%d} {self.get_status_display()}"


class RetentionSettings(models.Model):
    """How long QG keeps personal data it no longer needs (one row, set by national HQ in the admin)."""

    supporter_consent_years = models.PositiveSmallIntegerField(
        _("sympathisers kept without renewed consent (years)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("A sympathiser whose consent was neither given nor renewed within this period is deleted."),
    )
    observation_text_years = models.PositiveSmallIntegerField(
        _("free texts of observations kept (years)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Older observations lose their free texts; their counts are kept."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("retention periods")
        verbose_name_plural = _("retention periods")

    def __str__(self) -> str:
        return str(_("retention periods"))

    @classmethod
    def load(cls) -> "RetentionSettings":
        settings, _created = cls.objects.get_or_create(pk=1)
        return settings


class RetentionRun(models.Model):
    """One run of the retention purge, with what it removed."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    trigger = models.CharField(_("started by"), max_length=40)
    supporter_consent_years = models.PositiveSmallIntegerField(_("sympathisers' period (years)"))
    observation_text_years = models.PositiveSmallIntegerField(_("free texts' period (years)"))
    supporters_deleted = models.PositiveIntegerField(_("sympathisers deleted"), default=0)
    observation_texts_cleared = models.PositiveIntegerField(_("observations whose free texts were cleared"), default=0)
    fiche_versions_redacted = models.PositiveIntegerField(_("fiche versions redacted"), default=0)
    sessions_deleted = models.PositiveIntegerField(_("expired sessions deleted"), default=0)

    class Meta:
        ordering = ["-started_at"]
        default_permissions = ("view",)
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"


class Availability(models.TextChoices):
    WEEKDAY_EVENING = "weekday_evening", _("weekday evenings")
    WEEKDAY_DAY = "weekday_day", _("weekdays, daytime")
    SATURDAY = "saturday", _("Saturdays")
    SUNDAY = "sunday", _("Sundays")


class Transport(models.TextChoices):
    CAR = "car", _("car")
    PUBLIC = "public", _("public transport")
    BIKE = "bike", _("bike")
    FOOT = "foot", _("on foot")


class ActivistProfile(models.Model):
    """What a member brings and how they can take part: skills, causes, home, time, transport.

    Filled by the member themself (their consent wording and date are stored, as for
    sympathisers: skills and causes held by a party reveal opinions); read by their
    federation's HQ to match them with missions. `free_skills` holds what they typed that the
    Skill catalogue lacks, until HQ merges it into a catalogue entry.
    """

    SCOPE_PATH = "user__membership__federation__departement__code"

    user = models.OneToOneField(User, models.CASCADE, related_name="activist_profile", verbose_name=_("member"))
    skills = models.ManyToManyField(Skill, blank=True, related_name="activists", verbose_name=_("skills"))
    free_skills = ArrayField(
        models.CharField(max_length=60), default=list, blank=True, size=10, verbose_name=_("other skills")
    )
    causes = models.ManyToManyField(Cause, blank=True, related_name="activists", verbose_name=_("causes"))
    home_section = models.ForeignKey(
        Section, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("home section")
    )
    home_commune = models.ForeignKey(
        Commune, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("home commune")
    )
    # Distances are read on the sphere, in metres: a geography column.
    home_location = gis_models.PointField(_("home"), geography=True, null=True, blank=True)
    availability = ArrayField(
        models.CharField(max_length=16, choices=Availability.choices),
        default=list,
        blank=True,
        verbose_name=_("availability"),
    )
    transport = models.CharField(_("transport"), max_length=8, choices=Transport.choices, default=Transport.PUBLIC)
    car_seats = models.PositiveSmallIntegerField(
        _("free seats in the car"), default=0, validators=[MaxValueValidator(8)]
    )
    max_distance_km = models.PositiveSmallIntegerField(
        _("how far they will go (km)"), default=20, validators=[MinValueValidator(1), MaxValueValidator(300)]
    )
    consent_text = models.TextField(_("consent wording"))
    consent_at = models.DateTimeField(_("consent given at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~models.Q(consent_text=""), name="activist_profile_consent_wording"),
        ]
        verbose_name = _("activist profile")
        verbose_name_plural = _("activist profiles")

    def __str__(self) -> str:
        return str(self.user)


MISSION_TEXT_CAPS = {"description": 2000}


class MissionStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed, awaiting approval")
    OPEN = "open", _("open")
    CANCELLED = "cancelled", _("cancelled")
    DONE = "done", _("done")


class Mission(models.Model):
    """A precise action at a place and a time, with a method from the catalogue.

    The place is one or more bureaux (from the priorities) and/or a point; `location` is
    the point where it happens (the bureaux' centre when none is given), used for
    distances. A mission proposed by an activist waits for their federal HQ (status
    `proposed`); only `open` missions take sign-ups. `seats_taken` counts confirmed
    sign-ups and is only changed with the mission row locked (hq/missions.py).
    """

    SCOPE_PATH = "federation__departement__code"

    federation = models.ForeignKey(Federation, models.CASCADE, related_name="missions", verbose_name=_("federation"))
    method = models.ForeignKey(Method, models.PROTECT, related_name="missions", verbose_name=_("method"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=MISSION_TEXT_CAPS["description"], blank=True)
    cause = models.ForeignKey(
        Cause, models.SET_NULL, null=True, blank=True, related_name="missions", verbose_name=_("theme")
    )
    skills_wanted = models.ManyToManyField(Skill, blank=True, related_name="missions", verbose_name=_("skills wanted"))
    circonscription = models.ForeignKey(
        Circonscription,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="missions",
        verbose_name=_("circonscription"),
    )
    polling_stations = models.ManyToManyField(
        PollingStation, blank=True, related_name="missions", verbose_name=_("polling stations")
    )
    location = gis_models.PointField(_("place"), geography=True, null=True, blank=True)
    meeting_point = models.CharField(_("meeting point"), max_length=200, blank=True)
    meeting_location = gis_models.PointField(_("meeting point on the map"), geography=True, null=True, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity_min = models.PositiveSmallIntegerField(_("minimum team"), default=1)
    capacity_max = models.PositiveSmallIntegerField(_("maximum team"), default=6)
    seats_taken = models.PositiveSmallIntegerField(_("confirmed"), default=0)
    # fiches is a higher app (hq must not import it): the fiche to bring is kept by id.
    fiche_id = models.PositiveIntegerField(_("fiche to bring"), null=True, blank=True)
    organiser = models.ForeignKey(
        User, models.SET_NULL, null=True, blank=True, related_name="missions_organised", verbose_name=_("organiser")
    )
    status = models.CharField(_("status"), max_length=10, choices=MissionStatus.choices, default=MissionStatus.OPEN)
    open_to_other_federations = models.BooleanField(_("open to other federations' activists"), default=False)
    created_by = models.ForeignKey(
        User, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity_min__gte=1), name="mission_capacity_min_positive"),
            models.CheckConstraint(
                condition=models.Q(capacity_max__gte=models.F("capacity_min")), name="mission_capacity_ordered"
            ),
            models.CheckConstraint(
                condition=models.Q(seats_taken__lte=models.F("capacity_max")), name="mission_never_over_capacity"
            ),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="mission_ends_after"),
            *text_cap_constraints("mission", MISSION_TEXT_CAPS),
        ]
        indexes = [models.Index(fields=["status", "starts_at"], name="mission_status_start")]
        verbose_name = _("mission")
        verbose_name_plural = _("missions")

    def __str__(self) -> str:
        return self.title

    @property
    def is_full(self) -> bool:
        return self.seats_taken >= self.capacity_max

    @property
    def has_started(self) -> bool:
        """Its report (the observation) tells what happened: it is asked for from the start on."""
        return self.starts_at <= timezone.now()

    @property
    def has_ended(self) -> bool:
        return self.ends_at <= timezone.now()


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmed")
    WAITING = "waiting", _("on the waiting list")
    CANCELLED = "cancelled", _("cancelled")


class MissionSignup(models.Model):
    """One member on one mission: confirmed, waiting (with their place in line) or cancelled."""

    SCOPE_PATH = "mission__federation__departement__code"

    mission = models.ForeignKey(Mission, models.CASCADE, related_name="signups", verbose_name=_("mission"))
    user = models.ForeignKey(User, models.CASCADE, related_name="mission_signups", verbose_name=_("member"))
    status = models.CharField(_("status"), max_length=10, choices=SignupStatus.choices)
    # Order on the waiting list (smaller comes first); kept after confirmation for the record.
    position = models.PositiveIntegerField(_("place in line"), null=True, blank=True)
    created_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        ordering = ["mission", "status", "position", "created_at"]
        constraints = [models.UniqueConstraint(fields=["mission", "user"], name="mission_signup_unique_member")]
        indexes = [models.Index(fields=["user", "status"], name="mission_signup_user_status")]
        verbose_name = _("mission sign-up")
        verbose_name_plural = _("mission sign-ups")

    def __str__(self) -> str:
        return f"{self.user} — {self.mission} ({self.get_status_display()})"


class RideKind(models.TextChoices):
    OFFER = "offer", _("offers seats")
    REQUEST = "request", _("asks for a seat")


class Ride(models.Model):
    """One member's way to a mission by car: a driver's offer of seats, or a rider's request.

    A driver offers `seats` from a place (text and point) leaving at `leaves_at`, and will
    go at most `detour_km` out of their way to pick someone up. A rider asks from a place,
    ready between `leaves_at` and `latest_at`. `driver` is the offer a request is matched
    to (by hq.rides, or by federal HQ's hand), empty while nobody carries them. Seats are
    only given with the offer's row locked (hq/ride_services.py): an offer never carries
    more riders than it has seats.
    """

    SCOPE_PATH = "mission__federation__departement__code"

    mission = models.ForeignKey(Mission, models.CASCADE, related_name="rides", verbose_name=_("mission"))
    user = models.ForeignKey(User, models.CASCADE, related_name="rides", verbose_name=_("member"))
    kind = models.CharField(_("kind"), max_length=8, choices=RideKind.choices)
    place = models.CharField(_("pick-up place"), max_length=200)
    # Distances are read on the sphere, in metres: a geography column, as the missions'.
    location = gis_models.PointField(_("pick-up point"), geography=True)
    leaves_at = models.DateTimeField(_("leaves at"))
    latest_at = models.DateTimeField(_("at the latest"), null=True, blank=True)
    seats = models.PositiveSmallIntegerField(_("free seats"), default=0, validators=[MaxValueValidator(8)])
    detour_km = models.PositiveSmallIntegerField(
        _("detour accepted (km)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    driver = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="passengers",
        limit_choices_to={"kind": RideKind.OFFER},
        verbose_name=_("driver"),
    )
    assigned_by = models.ForeignKey(
        User, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("assigned by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["mission", "kind", "leaves_at"]
        constraints = [
            models.UniqueConstraint(fields=["mission", "user"], name="ride_one_per_member_and_mission"),
            models.CheckConstraint(
                condition=models.Q(kind="request") | models.Q(seats__gte=1, driver__isnull=True),
                name="ride_offer_has_seats",
            ),
            models.CheckConstraint(
                condition=models.Q(latest_at__isnull=True) | models.Q(latest_at__gte=models.F("leaves_at")),
                name="ride_window_ordered",
            ),
        ]
        verbose_name = _("ride")
        verbose_name_plural = _("rides")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_kind_display()} ({self.mission})"


EXPERIMENT_TEXT_CAPS = {"description": 2000}


class ExperimentStatus(models.TextChoices):
    DRAFT = "draft", _("draft (controls not drawn yet)")
    DRAWN = "drawn", _("controls drawn, not started")
    RUNNING = "running", _("running")
    FINISHED = "finished", _("finished")
    CANCELLED = "cancelled", _("cancelled")


class StrataKind(models.TextChoices):
    TYPE_CIRCONSCRIPTION = "type", _("profile type within each circonscription")
    PAIRS = "pairs", _("pairs of similar polling stations")


class Experiment(models.Model):
    """A campaign run as an experiment (issue 13): target bureaux, controls drawn at random.

    The draw is made within strata from `seed`, so that anyone can reproduce it; it is frozen
    once the campaign runs (status `running`). While it runs, control bureaux are never
    proposed to activists. Once the outcome election is imported, the estimate is stored in
    `result` (see observations/evaluation.py for its keys); `outcome_simulated` marks an outcome made by
    the simulation module (the demo), never real results.
    """

    SCOPE_PATH = "federation__departement__code"

    federation = models.ForeignKey(
        Federation,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="experiments",
        verbose_name=_("federation"),
        help_text=_("Empty for a campaign of the national HQ."),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), max_length=EXPERIMENT_TEXT_CAPS["description"], blank=True)
    method = models.ForeignKey(Method, models.PROTECT, related_name="experiments", verbose_name=_("method tested"))
    baseline_election = models.ForeignKey(
        "circonscriptions.Election",
        models.PROTECT,
        related_name="experiments_as_baseline",
        verbose_name=_("baseline election"),
    )
    outcome_election = models.ForeignKey(
        "circonscriptions.Election",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="experiments_as_outcome",
        verbose_name=_("outcome election"),
    )
    control_share = models.FloatField(
        _("share of bureaux held back as controls"),
        default=0.2,
        validators=[MinValueValidator(0.01), MaxValueValidator(0.99)],
    )
    strata_kind = models.CharField(
        _("strata"), max_length=5, choices=StrataKind.choices, default=StrataKind.TYPE_CIRCONSCRIPTION
    )
    seed = models.BigIntegerField(_("draw seed"), default=0)
    status = models.CharField(
        _("status"), max_length=9, choices=ExperimentStatus.choices, default=ExperimentStatus.DRAFT
    )
    starts_on = models.DateField(_("campaign starts on"))
    ends_on = models.DateField(_("campaign ends on"))
    power = models.JSONField(_("detectable effects"), default=dict, blank=True)
    result = models.JSONField(_("estimate"), default=dict, blank=True)
    outcome_simulated = models.BooleanField(_("simulated outcome"), default=False)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    estimated_at = models.DateTimeField(_("estimated at"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(control_share__gt=0, control_share__lt=1), name="experiment_control_share_open"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="experiment_ends_after"
            ),
            *text_cap_constraints("experiment", EXPERIMENT_TEXT_CAPS),
        ]
        verbose_name = _("campaign experiment")
        verbose_name_plural = _("campaign experiments")

    def __str__(self) -> str:
        return self.name

    @property
    def is_frozen(self) -> bool:
        """The draw can no longer change: the campaign has started (or ended)."""
        return self.status in (ExperimentStatus.RUNNING, ExperimentStatus.FINISHED)


class ExperimentBureau(models.Model):
    """One target bureau of an experiment: its stratum, its group, its size at the baseline."""

    experiment = models.ForeignKey(
        Experiment, models.CASCADE, related_name="bureaux", verbose_name=_("campaign experiment")
    )
    polling_station = models.ForeignKey(
        PollingStation, models.PROTECT, related_name="experiment_assignments", verbose_name=_("polling station")
    )
    stratum = models.CharField(_("stratum"), max_length=40)
    treated = models.BooleanField(_("treated"), default=True)
    registered = models.PositiveIntegerField(_("registered at the baseline"), default=0)

    class Meta:
        ordering = ["experiment", "stratum", "polling_station"]
        constraints = [models.UniqueConstraint(fields=["experiment", "polling_station"], name="experiment_bureau_once")]
        verbose_name = _("bureau of an experiment")
        verbose_name_plural = _("bureaux of an experiment")

    def __str__(self) -> str:
        group = _("treated") if self.treated else _("control")
        return f"{self.polling_station} ({group})"

"""Pages of the missions: my profile, « Missions pour moi », a mission and its sign-up, HQ's
missions and recruitment follow-up.

Objects are fetched through hq.scoping; who may join a mission is hq.missions.may_join.
A member's profile is read by themself and by their federation's HQ only (an activist of
the same département reads the territory, not other members).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hq import missions as services
from hq.audit import audit_read
from hq.experiments import control_lines
from hq.matching import missions_for
from hq.mission_forms import ActivistProfileForm, BulkMissionForm, FollowupForm, MissionForm, SkillMergeForm
from hq.models import (
    ActivistProfile,
    Availability,
    Federation,
    Membership,
    Mission,
    MissionSignup,
    MissionStatus,
    SignupStatus,
    Skill,
    Supporter,
)
from hq.queries import recruits_by_mission
from hq.scoping import can_write, get_for_user, scope_for

WAITING_DAYS = 7
IDLE_WEEKS = 8


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal next to its field, or above the form when the form has no such field
    (the bulk form has no meeting point: Django would raise on an unknown field)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _bounded(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(request.GET.get(name, default))
    except ValueError:
        return default
    return min(max(value, low), high)


@login_required
def profile_mine(request: HttpRequest) -> HttpResponse:
    """The member's own profile: skills, causes, home, availability, transport, with their consent."""
    membership = (
        Membership.objects.select_related("federation__departement", "section").filter(user=request.user).first()
    )
    if membership is None:
        return redirect("hq:no_role")
    profile = ActivistProfile.objects.filter(user=request.user).first()
    consent_wording = services.CONSENT_WORDING_PROFILE
    initial = ActivistProfileForm.initial_for(profile)
    if profile is None and membership.section_id:
        initial["home_section"] = membership.section_id
    form = ActivistProfileForm(request.POST or None, federation=membership.federation, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.activist_profile_save(
                user=request.user,
                skills=data["skills"],
                free_skills=data["free_skills"],
                causes=data["causes"],
                home_section=data["home_section"],
                home_commune=data["home_commune"],
                home_location=data["home_coordinates"],
                availability=data["availability"],
                transport=data["transport"],
                car_seats=data["car_seats"],
                max_distance_km=data["max_distance_km"],
                consent_text=consent_wording,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your profile is saved: the missions proposed to you follow it."))
            return redirect("hq:missions_for_me")
    return render(
        request,
        "hq/activist_profile.html",
        {"form": form, "profile": profile, "consent_wording": consent_wording, "membership": membership},
    )


@login_required
def profile_of(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's profile, read by their federation's HQ (or by the member)."""
    profile = get_for_user(
        ActivistProfile.objects.select_related("user", "home_section", "home_commune").prefetch_related(
            "skills", "causes"
        ),
        request.user,
        user_id=pk,
    )
    if profile.user_id != request.user.pk and not scope_for(request.user).can_write_territory:
        raise Http404
    audit_read(request, page="activist profile", target=f"member {pk}", person=profile.user)
    labels = dict(Availability.choices)
    availability = [str(labels.get(kind, kind)) for kind in profile.availability]
    return render(request, "hq/activist_profile_read.html", {"profile": profile, "availability": availability})


@login_required
def missions_for_me(request: HttpRequest) -> HttpResponse:
    recommendations = missions_for(request.user)
    mine = (
        MissionSignup.objects.filter(user=request.user, mission__status=MissionStatus.OPEN)
        .exclude(status=SignupStatus.CANCELLED)
        .select_related("mission")
        .order_by("mission__starts_at")
    )
    return render(
        request,
        "hq/missions_for_me.html",
        {
            "recommendations": recommendations,
            "signups": mine,
            "has_profile": ActivistProfile.objects.filter(user=request.user).exists(),
        },
    )


def _mission_for(request: HttpRequest, pk: int) -> Mission:
    """A mission its viewer may see: HQ in scope, members of its federation, anyone when it is open to others."""
    mission = (
        Mission.objects.select_related("federation__departement", "method", "cause", "circonscription", "organiser")
        .filter(pk=pk)
        .first()
    )
    if mission is None:
        raise Http404
    if can_write(request.user, mission) or services.may_join(request.user, mission):
        if mission.status == MissionStatus.PROPOSED and not (
            can_write(request.user, mission) or mission.created_by_id == request.user.pk
        ):
            raise Http404
        return mission
    raise Http404


@login_required
def mission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mission = _mission_for(request, pk)
    signup = MissionSignup.objects.filter(mission=mission, user=request.user).first()
    may_manage = can_write(request.user, mission)
    roster = None
    if may_manage:
        roster = mission.signups.exclude(status=SignupStatus.CANCELLED).select_related("user")
        audit_read(request, page="mission roster", target=f"mission {mission.pk}")
    stations = list(mission.polling_stations.select_related("commune", "circonscription"))
    fiche_url = None
    if mission.fiche_id:
        fiche_url = reverse("fiches:detail", kwargs={"pk": mission.fiche_id})
    else:
        # The fiches of the mission's circonscription: its own, else that of all its bureaux.
        codes = {s.circonscription.code for s in stations if s.circonscription_id}
        code = mission.circonscription.code if mission.circonscription_id else (codes.pop() if len(codes) == 1 else "")
        if code:
            fiche_url = reverse("fiches:list") + "?" + urlencode({"circonscription": code})
    return render(
        request,
        "hq/mission_detail.html",
        {
            "mission": mission,
            "signup": signup,
            "may_manage": may_manage,
            "roster": roster,
            "fiche_url": fiche_url,
            "stations": stations,
            "skills": mission.skills_wanted.all(),
            "waiting": mission.signups.filter(status=SignupStatus.WAITING).count(),
        },
    )


@login_required
@require_POST
def mission_signup(request: HttpRequest, pk: int) -> HttpResponse:
    mission = _mission_for(request, pk)
    try:
        signup = services.signup_create(mission=mission, user=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        if signup.status == SignupStatus.CONFIRMED:
            messages.success(request, _("You are signed up. See you there!"))
        else:
            messages.success(
                request,
                _(
                    "The mission is full: you are number %(n)s on the waiting list. "
                    "You will get an e-mail if a place frees up."
                )
                % {"n": signup.position},
            )
    return redirect("hq:mission_detail", pk=mission.pk)


@login_required
@require_POST
def mission_signup_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    mission = _mission_for(request, pk)
    signup = MissionSignup.objects.filter(mission=mission, user=request.user).first()
    if signup is None:
        raise Http404
    if mission.has_started and signup.status == SignupStatus.CONFIRMED:
        # Who was there is the report's list of participants: it is not undone afterwards.
        messages.error(request, _("The mission has already started: your sign-up can no longer be cancelled."))
        return redirect("hq:mission_detail", pk=mission.pk)
    services.signup_cancel(signup=signup, by=request.user)
    messages.success(request, _("Your sign-up is cancelled: your place goes to the next person."))
    return redirect("hq:mission_detail", pk=mission.pk)


@login_required
def mission_ics(request: HttpRequest, pk: int) -> HttpResponse:
    mission = _mission_for(request, pk)
    response = HttpResponse(services.mission_ics(mission), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mission-{mission.pk}.ics"'
    return response


def _federation(request: HttpRequest, code: str) -> Federation:
    return get_for_user(Federation.objects.select_related("departement"), request.user, departement__code=code)


@login_required
def mission_new(request: HttpRequest, code: str) -> HttpResponse:
    """HQ creates a mission (open at once); an activist of the federation proposes one."""
    federation = _federation(request, code)
    scope = scope_for(request.user)
    may_manage = can_write(request.user, federation)
    if not may_manage and scope.role != "activist":
        raise PermissionDenied
    form = MissionForm(request.POST or None, federation=federation, hq=may_manage)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mission = services.mission_create(
                by=request.user,
                federation=federation,
                method=data["method"],
                title=data["title"],
                description=data["description"],
                cause=data["cause"],
                skills_wanted=data["skills_wanted"],
                polling_stations=data["polling_stations"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                capacity_min=data["capacity_min"],
                capacity_max=data["capacity_max"],
                meeting_point=data["meeting_point"],
                meeting_location=data["meeting_coordinates"],
                fiche_id=data["fiche_id"],
                open_to_other_federations=data["open_to_other_federations"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if mission.status == MissionStatus.PROPOSED:
                messages.success(request, _("Mission proposed: your federal HQ will approve it."))
            else:
                messages.success(request, _("Mission created and open to sign-ups."))
            return redirect("hq:mission_detail", pk=mission.pk)
    return render(request, "hq/mission_form.html", {"form": form, "federation": federation, "may_manage": may_manage})


@login_required
def missions_bulk(request: HttpRequest, code: str) -> HttpResponse:
    federation = _federation(request, code)
    if not can_write(request.user, federation):
        raise PermissionDenied
    form = BulkMissionForm(request.POST or None, federation=federation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.missions_create_from_priorities(
                by=request.user,
                circonscription=data["circonscription"],
                top=data["top"],
                group_m=data["group_m"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                capacity_min=data["capacity_min"],
                capacity_max=data["capacity_max"],
                cause=data["cause"],
                open_to_other_federations=data["open_to_other_federations"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if created:
                messages.success(request, _("%(n)s missions created from the priorities.") % {"n": len(created)})
            else:
                messages.info(request, _("These missions already exist at this time: nothing new was created."))
            top = services.priority_profiles(data["circonscription"], data["top"])
            # HQ is told which priority bureaux got no mission, and why (activists never are).
            for line in control_lines([p.polling_station_id for p in top]):
                messages.info(request, f"Sans mission — {line}.")
            return redirect("hq:missions_federation", code=code)
    return render(request, "hq/missions_bulk.html", {"form": form, "federation": federation})


@login_required
def missions_federation(request: HttpRequest, code: str) -> HttpResponse:
    """HQ's missions: those proposed by activists to approve, and those to come with their sign-ups."""
    federation = _federation(request, code)
    if not can_write(request.user, federation):
        raise PermissionDenied
    missions = (
        Mission.objects.filter(federation=federation)
        .exclude(status__in=[MissionStatus.CANCELLED, MissionStatus.DONE])
        .select_related("method", "created_by")
        .order_by("starts_at")[:200]
    )
    return render(request, "hq/missions_federation.html", {"federation": federation, "missions": missions})


@login_required
@require_POST
def mission_approve(request: HttpRequest, pk: int) -> HttpResponse:
    mission = get_for_user(Mission.objects.select_related("federation__departement"), request.user, write=True, pk=pk)
    try:
        services.mission_approve(mission=mission, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Mission approved: it is open to sign-ups."))
    return redirect("hq:missions_federation", code=mission.federation.departement.code)


@login_required
@require_POST
def mission_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    mission = get_for_user(Mission.objects.select_related("federation__departement"), request.user, write=True, pk=pk)
    try:
        services.mission_cancel(mission=mission, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("hq:mission_detail", pk=mission.pk)
    messages.success(request, _("Mission cancelled."))
    return redirect("hq:missions_federation", code=mission.federation.departement.code)


@login_required
def recruitment(request: HttpRequest, code: str) -> HttpResponse:
    """The federation's recruitment follow-up: the funnel, who waits for a call, who has not come for a while."""
    federation = _federation(request, code)
    if not can_write(request.user, federation):
        raise PermissionDenied
    days = _bounded(request, "jours", WAITING_DAYS, 1, 365)
    weeks = _bounded(request, "semaines", IDLE_WEEKS, 1, 104)
    audit_read(request, page="recruitment follow-up", target=f"federation {code} {request.GET.urlencode()}")
    return render(
        request,
        "hq/recruitment.html",
        {
            "federation": federation,
            "funnel": services.funnel(federation),
            "waiting": services.supporters_waiting(federation, days=days).select_related("met_on_mission")[:100],
            "by_mission": recruits_by_mission(federation),
            "idle": services.members_idle(federation, weeks=weeks)[:100],
            "days": days,
            "weeks": weeks,
            "followup_form": FollowupForm(),
            "free_skills": services.free_skills_pending(request.user),
            "skills": Skill.objects.all(),
        },
    )


@login_required
@require_POST
def supporter_followup(request: HttpRequest, pk: int) -> HttpResponse:
    supporter = get_for_user(
        Supporter.objects.select_related("federation__departement"), request.user, write=True, pk=pk
    )
    form = FollowupForm(request.POST)
    if form.is_valid():
        services.supporter_followup_set(supporter=supporter, status=form.cleaned_data["status"], by=request.user)
        messages.success(request, _("Follow-up updated."))
    else:
        messages.error(request, _("Unknown follow-up step."))
    return redirect(reverse("hq:recruitment", kwargs={"code": supporter.federation.departement.code}))


@login_required
@require_POST
def skill_merge(request: HttpRequest, code: str) -> HttpResponse:
    federation = _federation(request, code)
    if not can_write(request.user, federation):
        raise PermissionDenied
    form = SkillMergeForm(request.POST)
    if form.is_valid():
        n = services.free_skill_merge(name=form.cleaned_data["name"], into=form.cleaned_data["into"], by=request.user)
        messages.success(request, _("%(n)s profiles now list this catalogue skill.") % {"n": n})
    else:
        messages.error(request, _("Choose the catalogue skill to merge into."))
    return redirect("hq:recruitment", code=code)

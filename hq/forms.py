from django import forms
from django.contrib.auth import password_validation
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from hq.models import Federation, Role, Section, User


class InvitationForm(forms.Form):
    """Who to invite, with which role, where. The roles offered are the inviter's own limits."""

    email = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(label=_("Role"))
    federation = forms.ModelChoiceField(label=_("Federation"), queryset=Federation.objects.none(), required=False)
    section = forms.ModelChoiceField(label=_("Section"), queryset=Section.objects.none(), required=False)

    def __init__(
        self,
        *args,
        roles: list[str],
        federation: Federation | None = None,
        federations: QuerySet | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Role.choices)
        self.fields["role"].choices = [(role, labels[role]) for role in roles]
        if Role.ACTIVIST in roles:
            self.fields["role"].initial = Role.ACTIVIST  # the invitation sent most often
        self.fixed_federation = federation
        if federation is not None:
            # Inviting from a federation's page: the federation is the page's, sections are its own.
            del self.fields["federation"]
            self.fields["section"].queryset = federation.sections.all()
            self.fields["section"].empty_label = _("(no section yet)")
        else:
            del self.fields["section"]
            self.fields["federation"].queryset = federations if federations is not None else Federation.objects.none()
            self.fields["federation"].empty_label = _("(none: national HQ)")

    def clean(self) -> dict:
        data = super().clean()
        role = data.get("role")
        if self.fixed_federation is None and role and role != Role.NATIONAL_HQ and not data.get("federation"):
            self.add_error("federation", _("Choose the federation of the person you invite."))
        if self.fixed_federation is not None and role == Role.NATIONAL_HQ:
            self.add_error(
                "role", _("National HQ members belong to no federation: invite them from the national HQ page.")
            )
        email = data.get("email")
        if email and User.objects.filter(email__iexact=email).exists():
            self.add_error("email", _("This address already has a QG account."))
        return data


class InvitationAcceptForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
    )
    consent = forms.BooleanField(
        label=_("I agree to the text above."),
        error_messages={"required": _("Tick the box to agree: without your consent we cannot create your account.")},
    )

    def __init__(self, *args, email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict:
        data = super().clean()
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ: type the same password twice."))
        elif password1:
            candidate = User(email=self.email, full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class SectionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)

    def __init__(self, *args, section: Section, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.section = section

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = Section.objects.filter(federation_id=self.section.federation_id, name__iexact=name).exclude(
            pk=self.section.pk
        )
        if taken.exists():
            raise forms.ValidationError(_("Another section of this federation already has this name."))
        return name


class ReasonForm(forms.Form):
    """Why personal data is exported or erased: written to the audit log with the action."""

    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.TextInput(attrs={"autocomplete": "off"}))


class ErasureForm(ReasonForm):
    confirm = forms.BooleanField(label=_("I understand that this erasure cannot be undone."))


class ErasureRequestForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False)

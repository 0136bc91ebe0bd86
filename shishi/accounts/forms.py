"""The resident's sign-up form. Logging in and changing a password use Django's
own forms."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import SetPasswordMixin, UsernameField
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

User = get_user_model()


# Names no resident may take: they would pass for the installation or its staff.
RESERVED_USERNAMES = frozenset(
    {"admin", "administrator", "root", "staff", "system", "shishi", "support", "security"}
)


class SignupForm(SetPasswordMixin, forms.Form):
    """An optional account for a resident: their appeals in one place. Django's
    password validators apply; the account is created by org.services.user_create."""

    username = UsernameField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("What you type to log in: letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autofocus": True}),
    )
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1, password2 = SetPasswordMixin.create_password_fields()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django's help is an HTML list, which cannot sit in the help paragraph;
        # the same sentences (from the configured validators) read as one text.
        self.fields["password1"].help_text = " ".join(
            password_validation.password_validators_help_texts()
        )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        # "Alice" and "alice" would be two people who cannot tell their logins
        # apart. A taken name and a reserved one get the same words, so the
        # answer does not prove that an account exists (and the view limits
        # how many names one address may try: SHISHI_SIGNUP_RATE_PER_HOUR).
        if (
            username.lower() in RESERVED_USERNAMES
            or User.objects.filter(username__iexact=username).exists()
        ):
            raise forms.ValidationError(
                _("This username cannot be used. Choose another."), code="unavailable"
            )
        return username

    def clean(self):
        cleaned = super().clean()
        self.validate_passwords()
        # Judge the password against the name and e-mail it would sit beside.
        user = User(
            username=cleaned.get("username", ""),
            full_name=cleaned.get("full_name", ""),
            email=cleaned.get("email", ""),
        )
        self.validate_password_for_user(user)
        return cleaned

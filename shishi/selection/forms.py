from django import forms
from django.utils.translation import gettext_lazy as _


class ScoreForm(forms.Form):
    # Checked by the service: a whole number from 0 to 100.
    points = forms.CharField(label=_("Score"), max_length=5)

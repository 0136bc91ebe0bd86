from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Household, LiaisonMember


class PairForm(forms.Form):
    household = forms.ModelChoiceField(label=_("Household"), queryset=Household.objects.none())
    member = forms.ModelChoiceField(
        label=_("Liaison member"), queryset=LiaisonMember.objects.none()
    )
    paired_on = forms.DateField(
        label=_("Paired on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        # Any household of the community may be chosen: one already paired is
        # refused by the service, saying with whom.
        self.fields["household"].queryset = Household.objects.filter(community=community)
        self.fields["member"].queryset = LiaisonMember.objects.filter(community=community)


class HouseholdImportForm(forms.Form):
    file = forms.FileField(
        label=_("Household list (Excel or CSV)"),
        help_text=_("Columns 地址 (required), 户主 and 联户党员 (a member of this community)."),
    )
    import_paired_on = forms.DateField(
        label=_("Paired on"), widget=forms.DateInput(attrs={"type": "date"})
    )

from django import forms
from django.utils.translation import gettext_lazy as _

from shishi.org.models import Unit

from .models import MeetingKind, Speaker


class MeetingFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *MeetingKind.choices], required=False
    )


class LectureForm(forms.Form):
    speaker = forms.ModelChoiceField(
        label=_("Speaker"), queryset=Speaker.objects.select_related("group")
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.active())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    # Checked by the service (a clear message for a count below zero).
    attendance = forms.CharField(label=_("Attendance"), max_length=12)


class LectureImportForm(forms.Form):
    file = forms.FileField(
        label=_("Lecture list (Excel or CSV)"),
        help_text=_("Columns 日期, 宣讲人, 题目, 单位, 受众人次 and, if known, 地点."),
    )

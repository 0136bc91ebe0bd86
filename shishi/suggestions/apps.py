from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    """大梳理 in the app: the combing engine's suggestions on stored appeals."""

    name = "shishi.suggestions"
    verbose_name = _("Suggestions")

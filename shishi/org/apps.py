from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs) -> None:
    from .roles import sync_role_groups

    sync_role_groups()


class OrgConfig(AppConfig):
    name = "shishi.org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # Every migrate ends with the role groups holding their rights, whatever
        # order the apps' migrations ran in: an app added later (work orders,
        # programmes …) would otherwise leave administrators without its rights
        # unless its own migration remembered to sync them.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="shishi.org.sync_roles")

from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "shishi.org"

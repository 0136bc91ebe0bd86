from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceLevelsConfig(AppConfig):
    name = "shishi.service_levels"
    verbose_name = _("service levels")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from shishi.categories.models import Category

        from .deadlines import book_changed
        from .models import CalendarDay, HolidayCalendar, ServiceLevelPolicy

        # The deadlines' book holds these: a change must reach every process.
        for model in (ServiceLevelPolicy, CalendarDay, HolidayCalendar, Category):
            for signal in (post_save, post_delete):
                signal.connect(book_changed, sender=model, dispatch_uid=f"book-{model.__name__}")

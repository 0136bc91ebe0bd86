from django import template

from ..models import Reminder

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_reminder_count(context) -> int:
    """The signed-in user's unread reminders, counted once per page."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    cached = getattr(request, "_shishi_unread_reminders", None)
    if cached is None:
        cached = Reminder.objects.for_user(user).unread().count()
        request._shishi_unread_reminders = cached
    return cached

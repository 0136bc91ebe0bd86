"""My reminders: the list (newest first), marking one or all as read."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from shishi.core.views import permission_required

from .models import Reminder
from .services import reminder_mark_read, reminders_mark_all_read


@require_safe
@permission_required()
def mine(request):
    reminders = Reminder.objects.for_user(request.user)
    page = Paginator(reminders, settings.SHISHI_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "unread": reminders.unread().count()}
    return render(request, "reminders/mine.html", context)


@require_POST
@permission_required()
def read(request, pk):
    """Mark one as read; with go=1, then follow its link."""
    # Someone else's reminder does not exist for this user.
    reminder = get_object_or_404(Reminder, pk=pk, recipient=request.user)
    reminder_mark_read(reminder=reminder, actor=request.user)
    link = reminder.link
    if (
        request.POST.get("go")
        and link
        and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()})
    ):
        return redirect(link)
    return redirect("reminders:mine")


@require_POST
@permission_required()
def read_all(request):
    reminders_mark_all_read(actor=request.user)
    return redirect("reminders:mine")

"""评选 pages: the calls; one call with its nominations, where reviewers score
(once each), the staff publish, and scores stay hidden from the nominees until
the results are published."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shishi.core.views import permission_required, refusal_text, submit_to_service

from .forms import ScoreForm
from .models import Call, Nomination, Score
from .services import call_publish, can_manage, can_review, score_submit, scores_visible


@require_safe
@permission_required("selection.view_nomination")
def calls(request):
    objects = Call.objects.annotate(nomination_count=Count("nominations", distinct=True)).order_by(
        "-deadline"
    )
    return render(request, "selection/calls.html", {"calls": objects})


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("selection.view_nomination")
def call_detail(request, pk: int):
    call = get_object_or_404(Call, pk=pk)
    nominations = list(
        call.nominations.select_related("unit", "call")
        .annotate(average=Avg("scores__points"), scores_count=Count("scores"))
        .order_by("-selected", "pk")
    )
    mine = dict(
        Score.objects.filter(nomination__call=call, reviewer=request.user).values_list(
            "nomination_id", "points"
        )
    )
    reviewer = can_review(request.user) and not call.is_published
    form, status, scoring = ScoreForm(), 200, None
    if request.method == "POST":
        if not reviewer:
            raise PermissionDenied
        scoring = get_object_or_404(Nomination, pk=request.POST.get("nomination"), call=call)
        form = ScoreForm(request.POST)
        done, status = submit_to_service(
            form,
            lambda data: score_submit(
                nomination=scoring, reviewer=request.user, points=data["points"]
            ),
        )
        if done:
            messages.success(request, _("Your score for %(n)s is recorded.") % {"n": scoring})
            return redirect("selection:call", pk=call.pk)
    rows = [
        {
            "nomination": n,
            "visible": scores_visible(request.user, n),
            "my_score": mine.get(n.pk),
            "form": form if scoring is not None and scoring.pk == n.pk else None,
        }
        for n in nominations
    ]
    return render(
        request,
        "selection/call.html",
        {
            "call": call,
            "rows": rows,
            "reviewer": reviewer,
            "may_publish": can_manage(request.user)
            and not call.is_published
            and timezone.now() > call.deadline,
        },
        status=status,
    )


@require_POST
@permission_required("selection.change_call")
def publish(request, pk: int):
    call = get_object_or_404(Call, pk=pk)
    try:
        selected = call_publish(call=call, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("Published: %(n)d selected.") % {"n": len(selected)})
    return redirect("selection:call", pk=call.pk)

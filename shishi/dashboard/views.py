"""The dashboard: the ledger's figures at a glance, for staff. Thin: the figures
come from selectors.py, the charts from charts.py."""

from dataclasses import dataclass

from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from shishi.core.views import permission_required
from shishi.ledger.models import week_start
from shishi.organisation.selectors import week_activity_rows
from shishi.workorders.figures import dashboard_figures as work_order_figures

from . import selectors
from .charts import bar_chart
from .forms import AppealPeriodForm


@dataclass
class Panel:
    """One figure drawn as a chart, with the same numbers as a table."""

    key: str
    title: str
    description: str
    heading: str  # what the table's first column holds
    rows: selectors.Rows
    chart: SafeString

    @property
    def total(self) -> int:
        return sum(value for _label, value in self.rows)

    @property
    def table(self) -> list[tuple[str, int, int | None]]:
        """(label, value, whole percent of the total) for each row."""
        total = self.total
        return [(label, n, round(100 * n / total) if total else None) for label, n in self.rows]


def _panel(
    key: str, title: str, description: str, heading: str, rows: selectors.Rows, empty: str
) -> Panel:
    chart = bar_chart(rows, title=title, description=description, empty_text=empty)
    return Panel(key, title, description, heading, rows, chart)


@require_safe
@permission_required("ledger.view_ledgeritem")
def index(request):
    form = AppealPeriodForm(request.GET)
    period = form.period()
    appeals = selectors.appeal_figures(**period)
    items = selectors.item_figures(now=timezone.now())
    no_appeals = _("No appeals were received in this period.")
    context = {
        "form": form,
        "filtered": bool(period),
        "appeals": appeals,
        "items": items,
        "item_panels": [
            _panel(
                "items-status",
                _("Ledger items by status"),
                _("Every item on the ledger, drafts included."),
                _("Status"),
                items.by_status if items.total else [],
                _("There are no items on the ledger yet."),
            ),
            _panel(
                "items-progress",
                _("Progress of the items under way"),
                _("Claimed and in-progress items by the percent of their latest report."),
                _("Latest progress"),
                items.progress if items.active else [],
                _("No item is under way."),
            ),
        ],
        "appeal_panels": [
            _panel(
                "appeals-channel",
                _("Appeals by channel"),
                _("Where the appeals came from."),
                _("Channel"),
                appeals.by_channel,
                no_appeals,
            ),
            _panel(
                "appeals-category",
                _("Appeals by category"),
                _("Top-level categories; an appeal in a subcategory counts for its top level."),
                _("Category"),
                appeals.by_category,
                no_appeals,
            ),
            _panel(
                "appeals-status",
                _("Appeals by status"),
                _("How far each appeal has got in intake."),
                _("Status"),
                appeals.by_status if appeals.total else [],
                no_appeals,
            ),
        ],
    }
    # The campaign's activities of the current week (shishi.organisation).
    context["campaign_week"] = week_activity_rows(week_start(timezone.localdate()))
    # Work orders (shishi.workorders): by state, and per unit over 30 days.
    work_orders = work_order_figures(timezone.now())
    context["work_orders"] = work_orders
    context["work_order_panel"] = _panel(
        "work-orders-status",
        _("Work orders by state"),
        _("Every work order, by where it stands now."),
        _("State"),
        work_orders["by_status"] if work_orders["total"] else [],
        _("No appeal has been dispatched as a work order yet."),
    )
    return render(request, "dashboard/index.html", context)

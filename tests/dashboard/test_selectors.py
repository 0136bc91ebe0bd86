"""The dashboard's figures as numbers, without the page."""

from shishi.dashboard.selectors import ReportingRate, progress_buckets


def test_reporting_rate_is_none_without_anything_due():
    assert ReportingRate(week="2025-W01", reported=0, due=0).percent is None


def test_reporting_rate_rounds_down_so_an_incomplete_week_is_never_100():
    assert ReportingRate(week="2025-W01", reported=999, due=1000).percent == 99
    assert ReportingRate(week="2025-W01", reported=1000, due=1000).percent == 100
    assert ReportingRate(week="2025-W01", reported=1, due=3).missing == 2


def test_percents_fall_into_their_buckets_and_none_means_no_report():
    rows = progress_buckets({0: 1, 24: 2, 25: 3, 74: 4, 75: 5, 99: 6, 100: 7, None: 8})
    assert [n for _label, n in rows] == [3, 3, 4, 11, 7, 8]

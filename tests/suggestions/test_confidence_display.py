"""A guess is never shown as certain, and a doubtful one is marked in the queue."""

import pytest
from django.urls import reverse

from shishi.intake.bulk import appeals_bulk_create
from shishi.suggestions import selectors
from shishi.suggestions.services import suggestions_train

from .conftest import records


@pytest.fixture
def trained(history):
    suggestions_train()
    return history


@pytest.mark.parametrize(
    ("confidence", "shown"), [(1.0, 99), (0.996, 99), (0.99, 99), (0.984, 98), (0.5, 50)]
)
def test_percent_shown_is_capped_at_99(confidence, shown):
    assert selectors.CategorySuggestion(None, confidence).percent == shown
    assert selectors.UnitSuggestion(None, confidence).percent == shown


@pytest.mark.slow
@pytest.mark.django_db
def test_queue_marks_low_confidence_suggestions(clerk, trained, bob, monkeypatch):
    appeals_bulk_create(records(["{p}学位紧张，孩子上学难"], places=["第1小区"]), actor=bob)
    queue = reverse("triage:queue")
    # No suggestion is under a threshold of 0; every one is under one above 1.
    monkeypatch.setattr(selectors, "LOW_CONFIDENCE", 0.0)
    response = clerk.get(queue)
    suggested = sum(1 for a in response.context["page"].object_list if a.suggested)
    assert suggested and 'class="badge flag-low"' not in response.text
    monkeypatch.setattr(selectors, "LOW_CONFIDENCE", 1.01)
    response = clerk.get(queue)
    assert response.text.count('class="badge flag-low"') == suggested

"""大梳理: the text engine that combs residents' appeals into projects.

Plain Python (numpy, scipy, scikit-learn, jieba), no Django: the web app and
the management commands call it, and it is tested without a database.
Everything runs offline; jieba's dictionary ships inside its wheel.

- `io`: read .xlsx/.csv tables (UTF-8, BOM, GB18030), parse 留言时间, write CSV.
- `text`: normalisation, jieba segmentation, hashed character n-grams.
- `features`: the TF-IDF blocks the models share.
- `classify`: category suggestions with calibrated confidence (`Classifier`).
- `duplicates`: likely duplicates and related appeals (`DuplicateIndex`).
- `cluster`: issues and hot issues with a heat index (`cluster_texts`, `hot_issues`).
- `places`: place-like names (小区, 路, 街道, 村 …), objects and problems
  (`matter_fields`).
- `pairs`: whether two appeals are the same matter (`same_matter`): the one
  decision behind duplicates, hot issues (`matter_clusters`) and `shishi pairs`.
- `routing`: the office named in a reply, and a router text → office.

No embedding model is used, and none was tried: the speed budget (2,000
appeals a second per CPU core for classification) leaves no room for a
neural encoder on a clerk's PC, and unlabelled appeals already reach the
sparse models through TF-IDF statistics, LSA and self-training. Figures:
bench/bench_combing.py.
"""

from shishi.combing.classify import LOW_CONFIDENCE, Classifier, Suggestion
from shishi.combing.cluster import (
    HotIssue,
    cluster_texts,
    heat_index,
    hot_issues,
    matter_clusters,
)
from shishi.combing.duplicates import DuplicateIndex, Match, SearchResult
from shishi.combing.places import extract_places, top_places
from shishi.combing.routing import Router, extract_office, office_category, office_kind
from shishi.combing.text import appeal_text, normalise, segment

__all__ = [
    "LOW_CONFIDENCE",
    "Classifier",
    "DuplicateIndex",
    "HotIssue",
    "Match",
    "Router",
    "SearchResult",
    "Suggestion",
    "appeal_text",
    "cluster_texts",
    "extract_office",
    "extract_places",
    "heat_index",
    "hot_issues",
    "matter_clusters",
    "normalise",
    "office_category",
    "office_kind",
    "segment",
    "top_places",
]

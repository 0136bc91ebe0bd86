"""Normalisation, segmentation and hashed n-grams."""

import numpy as np

from shishi.combing.text import appeal_text, char_ngram_counts, normalise, segment


def test_normalise_collapses_the_tab_runs_and_full_width_forms():
    assert normalise("\n\t\t\t\n\t\tＡ市Ａ３区　停车难\n\t") == "a市a3区 停车难"


def test_appeal_text_puts_the_title_first():
    assert appeal_text("停车难", "\n\t\t小区没有车位") == "停车难。小区没有车位"
    assert appeal_text("停车难", "") == "停车难"


def test_segment_gives_words_without_punctuation_or_function_words():
    words = segment(normalise("小区的停车位太少了，晚上停车难！"))
    assert "停车位" in words
    assert "的" not in words and "，" not in words


def test_hashed_ngrams_are_the_same_in_every_call_and_break_at_punctuation():
    a = char_ngram_counts(["停车难。停车难"], sizes=(3,))
    b = char_ngram_counts(["停车难"], sizes=(3,))
    assert a.nnz == 1 and a.data[0] == 2  # "难。停" spans a break: no gram
    assert np.array_equal(a.indices, b.indices)

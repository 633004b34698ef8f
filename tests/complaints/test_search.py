"""The text search's grams: the term's in Python, the text's in PostgreSQL (migration 0009)."""

import pytest
from sqlalchemy import func, select

from complaints.search import term_grams
from core.extensions import db
from support import ON_POSTGRES

TEXT = "2026-629901101-0007 村道维修款  去向不明，Wi-Fi 费用？𠀋字"


def test_term_grams_are_bigrams_or_the_one_character():
    assert term_grams("低") == ["低"]
    assert term_grams("低保") == ["低保"]
    assert term_grams("低保名单") == ["低保", "保名", "名单"]  # sorted by code point
    assert term_grams("0101") == ["01", "10"]  # each once
    assert term_grams("Wi Fi") == [" F", "Fi", "Wi", "i "]  # exact: LIKE is case-sensitive
    assert term_grams("") == []


@pytest.mark.skipif(not ON_POSTGRES, reason="the grams of a text are computed by PostgreSQL")
def test_every_substring_of_code_or_text_finds_its_case_by_grams(app):
    code, body = TEXT.split(" ", 1)
    grams = set(db.session.scalar(select(func.complaint_grams(code, body))))
    assert {"2", "0", "20", "村", "村道", "  ", "𠀋", "𠀋字", "？𠀋"} <= grams
    assert "7村" not in grams  # no gram across code and text
    for source in (code, body):
        for start in range(len(source)):
            for end in range(start + 1, len(source) + 1):
                assert set(term_grams(source[start:end])) <= grams, source[start:end]

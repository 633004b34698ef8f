"""The back office's text search on PostgreSQL: character grams in a GIN index.

`LIKE '%term%'` can use no index, so on its own it reads every case in scope. Word tokenizers do
not fit Chinese names and short terms, and pg_trgm ignores CJK under the C locale and has no
trigram for a two-character term such as 低保 (docs/architecture.md). So
PostgreSQL indexes each case's characters and character bigrams, of its code and of its text,
computed by the SQL function `complaint_grams(code, text)` (migration 0009) and not stored. A
search asks for every bigram of the term (`@>`), and LIKE then checks that they stand together
and in order. SQLite (small deployments) searches with LIKE alone.

Grams are exact characters, not case-folded: LIKE is case-sensitive on PostgreSQL, and substrings
cut alike from the term and from the text cannot disagree.
"""


def term_grams(term: str) -> list[str]:
    """The grams every text containing `term` has: its bigrams, or the term if one character."""
    if len(term) < 2:
        return [term] if term else []
    return sorted({term[i : i + 2] for i in range(len(term) - 1)})

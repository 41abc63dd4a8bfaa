"""The search box's syntax, as each engine receives it (no database)."""

import pytest

from config.messages import code_of
from texts.query import QueryRefused, like_pattern, parse, substring_of, to_fts5, to_tsquery


def test_words_phrases_or_not_and_prefixes():
    query = parse('"rue de la Loi" falcon OR faucon -test 0470*')
    assert to_fts5(query) == '(("rue de la loi") AND ("falcon" OR "faucon") AND ("0470" *)) NOT "test"'
    assert to_tsquery(query) == "(('rue de la loi')) & (('falcon') | ('faucon')) & (!('test')) & (('0470':*))"


def test_what_a_user_types_never_reaches_an_engine_as_syntax():
    query = parse("a'b \\ NEAR(x) ^c :* &|!")
    assert to_fts5(query) == '(("a b") AND ("near x") AND ("c"))'
    assert "\\" not in to_tsquery(query) and "!" not in to_tsquery(query)


def test_an_empty_box_is_no_query():
    assert parse("   ") is None and parse("*** --") is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('"open phrase', "search.unbalanced_quote"),
        ("falcon OR", "search.dangling_or"),
        ("OR falcon", "search.dangling_or"),
        ("-falcon", "search.only_not"),
        ("falcon OR -faucon", "search.not_in_or"),
        (" ".join(["w"] * 40), "search.too_long"),
    ],
)
def test_a_malformed_query_is_refused_with_a_reason(text, code):
    with pytest.raises(QueryRefused) as caught:
        parse(text)
    assert code_of(caught.value.message) == code


def test_one_plain_term_is_also_looked_for_inside_names():
    assert substring_of(" IMG_0470 ") == "IMG_0470" and like_pattern("a_b%c\\") == "%a\\_b\\%c\\\\%"
    assert substring_of("ab") is None and substring_of("two words") is None and substring_of("pre*") is None
    assert substring_of("-not") is None and substring_of('"quoted"') is None

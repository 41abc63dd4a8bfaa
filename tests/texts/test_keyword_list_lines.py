"""A keyword list's lines: a term and an optional label each; a bad line is set aside with its number
and reason, the others are all read."""

import pytest

from config.messages import code_of
from texts.keywords import KeywordListTooLong, read_keyword_list

LIMITS = {"max_terms": 10, "max_line_chars": 40}


def test_good_lines_are_read_with_their_labels_and_bad_ones_listed_with_their_reason():
    text = "\n".join(
        [
            "darkfalcon;nickname",  # 1
            '"rue de la loi"\tstreet',  # 2: a tab parts the label
            "",  # 3: blank, skipped
            ";label only",  # 4: no term
            'night* OR "owl',  # 5: unclosed phrase
            "x" * 41,  # 6: too long
            "darkfalcon;again",  # 7: the same term as line 1
            "***",  # 8: nothing to look for
            "0470 12 34 56",  # 9
        ]
    )
    read = read_keyword_list(text, **LIMITS)
    assert [(item.line, item.term, item.label) for item in read.terms] == [
        (1, "darkfalcon", "nickname"),
        (2, '"rue de la loi"', "street"),
        (9, "0470 12 34 56", ""),
    ]
    assert [(line, code_of(reason)) for line, reason in read.rejected] == [
        (4, "keyword.empty_term"),
        (5, "keyword.refused"),
        (6, "keyword.line_too_long"),
        (7, "keyword.duplicate"),
        (8, "keyword.nothing_to_find"),
    ]
    assert code_of(read.rejected[1][1]["params"]["reason"]) == "search.unbalanced_quote"


def test_a_list_over_the_limit_is_refused_whole_and_one_at_the_limit_is_read():
    with pytest.raises(KeywordListTooLong):
        read_keyword_list("\n".join(f"term{n}" for n in range(11)), **LIMITS)
    assert len(read_keyword_list("\n".join(f"term{n}" for n in range(10)) + "\n\n", **LIMITS).terms) == 10

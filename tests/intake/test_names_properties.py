"""Properties of the name keys and the scorer, checked on generated names (hypothesis)."""

from __future__ import annotations

import re

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from intake.conflicts_engine import Candidate, Grade, Query, build_entry_keys, score
from intake.names import ascii_fold, fold_case, normalise_name, transliterations

LETTERS = "abcdefghijklmnopqrstuvwxyząćęłńóśźżñáéíúüöäßабвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ"
SEPARATORS = st.sampled_from([" ", "  ", "-", " - ", ", "])
words = st.text(alphabet=LETTERS, min_size=1, max_size=12)
names = st.builds(lambda ws, sep: sep.join(ws), st.lists(words, min_size=1, max_size=5), SEPARATORS)
any_text = st.text(max_size=60)

# Real names of every language the firm sees, for properties that need a plausible name.
VOCABULARY = [
    "Jan",
    "Anna",
    "Łukasz",
    "Małgorzata",
    "Kowalski",
    "Kowalska",
    "Wiśniewski",
    "Nowak",
    "Zawadzka",
    "Szczerbakow",
    "María",
    "José",
    "García",
    "López",
    "Muñoz",
    "Fernández",
    "Щербаков",
    "Алексей",
    "Иванова",
    "Хрущёв",
    "Юлия",
    "Зеленський",
    "Олена",
    "Шевченко",
    "Ірина",
    "Smith",
    "Müller",
    "Dostoevsky",
    "Petrova",
    "Chruszczow",
    "Żukow",
]
plain_names = st.lists(st.sampled_from(VOCABULARY), min_size=2, max_size=4, unique=True)


@given(any_text)
def test_case_folding_is_idempotent(text):
    assert fold_case(fold_case(text)) == fold_case(text)


@given(any_text)
def test_ascii_fold_is_idempotent_and_plain(text):
    folded = ascii_fold(text)
    assert ascii_fold(folded) == folded
    assert re.fullmatch(r"[a-z0-9]*", folded)


@given(words)
def test_every_spelling_is_lowercase_ascii(word):
    for spelling in transliterations(fold_case(word)).values():
        assert re.fullmatch(r"[a-z0-9]+", spelling), spelling


@settings(max_examples=300, deadline=None)
@given(names)
def test_normalising_the_normalised_words_changes_nothing(name):
    first = normalise_name(name)
    again = normalise_name(" ".join(t.ascii for t in first.tokens), kind=first.kind)
    assert again.ascii_key == first.ascii_key
    assert again.kind is first.kind


@settings(max_examples=200, deadline=None)
@given(names)
def test_keys_are_bounded(name):
    keys = normalise_name(name)
    assert len(keys.variant_keys) <= 8
    assert all(1 <= len(t.spellings) <= 8 for t in keys.tokens)
    assert all(key == " ".join(sorted(key.split())) for key in keys.variant_keys)


@settings(max_examples=200, deadline=None)
@given(plain_names, st.randoms(use_true_random=False))
def test_word_order_never_matters(parts, rng):
    shuffled = parts[:]
    rng.shuffle(shuffled)
    a, b = normalise_name(" ".join(parts)), normalise_name(" ".join(shuffled))
    assert a.variant_keys == b.variant_keys
    assert set(a.family_keys) == set(b.family_keys)
    hit = score(
        Query(build_entry_keys(" ".join(parts))), Candidate(0, build_entry_keys(" ".join(shuffled)))
    )
    assert hit and hit.grade is Grade.HIGH


@settings(max_examples=300, deadline=None)
@given(st.one_of(names, plain_names.map(" ".join)), st.one_of(names, plain_names.map(" ".join)))
def test_scores_are_symmetric(left, right):
    a, b = build_entry_keys(left), build_entry_keys(right)
    there = score(Query(a), Candidate(0, b))
    back = score(Query(b), Candidate(0, a))
    assert (there is None) == (back is None)
    if there and back:
        assert (there.grade, there.score) == (back.grade, back.score)
        assert [r.code for r in there.reasons] == [r.code for r in back.reasons]


@settings(max_examples=200, deadline=None)
@given(names)
def test_a_name_of_two_real_words_matches_itself_high(name):
    keys = build_entry_keys(name)
    assume(len(keys.name.tokens) >= 2 and not any(t.initial for t in keys.name.tokens))
    hit = score(Query(keys), Candidate(0, keys))
    assert hit and hit.grade is Grade.HIGH

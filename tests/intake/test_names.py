"""Name normalisation (spec intake.md §4 steps 1–5): what each key is and why."""

from __future__ import annotations

import time

import pytest

from intake.names import (
    ALGORITHM_VERSION,
    MAX_TOKENS,
    MAX_VARIANTS,
    FamilyKey,
    NameKeys,
    NameKind,
    StaleKeysError,
    ascii_fold,
    family_key,
    fold_case,
    fold_en,
    fold_pl,
    normalise_name,
    polish_convention,
    transliterations,
    ukrainian_national,
)


def test_case_and_width_do_not_matter():
    assert fold_case("ＫＯＷＡＬＳＫＩ") == "kowalski"
    assert fold_case("STRASSE") == fold_case("Straße")
    assert normalise_name("ŁUKASZ WIŚNIEWSKI").variant_keys == (
        normalise_name("łukasz wiśniewski").variant_keys
    )


def test_anyascii_folds_diacritics_of_every_language():
    assert ascii_fold("Łukasz Żółć") == "lukaszzolc"
    assert ascii_fold("Muñoz") == "munoz"
    assert ascii_fold("Straße") == "strasse"


@pytest.mark.parametrize(
    ("word", "scheme", "expected"),
    [
        ("щербаков", "icao", "shcherbakov"),
        ("щербаков", "bgn", "shcherbakov"),
        ("щербаков", "gost", "shherbakov"),
        ("щербаков", "polish", "szczerbakow"),
        ("хрущёв", "icao", "khrushchev"),
        ("хрущёв", "wiki", "khrushchyov"),
        ("хрущёв", "polish", "chruszczow"),
        ("юлия", "icao", "iuliia"),
        ("юлия", "bgn", "yuliya"),
        ("юлия", "polish", "julija"),
        ("алексей", "polish", "aleksiej"),
        ("пётр", "polish", "piotr"),
        ("чайковский", "polish", "czajkowski"),
        ("шишкин", "polish", "szyszkin"),
        ("зеленський", "kmu", "zelenskyi"),
        ("олег", "kmu", "oleh"),
    ],
)
def test_cyrillic_spellings_follow_each_scheme(word, scheme, expected):
    assert transliterations(word)[scheme] == expected


def test_polish_convention_table_of_the_spec():
    # Щ→szcz, Ш→sz, Ч→cz, Ж→ż, Х→ch, В→w, Й→j, Ю→ju, Я→ja, final -ов→-ow
    assert polish_convention("Щербаков") == "szczerbakow"
    assert polish_convention("Хрущёв") == "chruszczow"
    assert polish_convention("Жуков") == "żukow"
    assert polish_convention("Юрий") == "jurij"
    assert polish_convention("Яковлев") == "jakowlew"
    assert polish_convention("Шевченко") == "szewczenko"


def test_ukrainian_national_transliteration_at_word_start_and_inside():
    assert ukrainian_national("Юлія") == "yuliia"
    assert ukrainian_national("Євген") == "yevhen"
    assert ukrainian_national("Згурський") == "zghurskyi"
    assert ukrainian_national("Мар'яна".replace("'", "")) == "mariana"


def test_latin_folds_of_the_spec():
    assert fold_pl("Szczerbakow") == "shcherbakov"
    assert fold_pl("Chruszczow") == "khrushchov"
    assert fold_pl("Żukow") == "zhukov"
    assert fold_pl("Siergiej") == "sergey"
    assert fold_en("Aleksandr") == "alexandr"
    assert fold_en("Khrushchev") == "hrushchev"


def test_cyrillic_and_latin_spellings_share_a_key():
    cyrillic = normalise_name("Щербаков Алексей")
    for latin in ("Aleksei Shcherbakov", "Aleksey Shcherbakov", "Aleksiej Szczerbakow"):
        assert set(cyrillic.variant_keys) & set(normalise_name(latin).variant_keys), latin


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Nowak Deweloper sp. z o.o.", "deweloper nowak"),
        ("NOWAK DEWELOPER SPÓŁKA Z OGRANICZONĄ ODPOWIEDZIALNOŚCIĄ", "deweloper nowak"),
        ("Kowalski i Wspólnicy sp.k.", "kowalski wspolnicy"),
        ("Kowalski i Wspólnicy Sp. z o.o. Sp. k.", "kowalski wspolnicy"),
        ("Orlen S.A.", "orlen"),
        ("Construcciones Pérez S.L.", "construcciones perez"),
        ("Construcciones Pérez Sociedad Limitada", "construcciones perez"),
        ("Acme Holdings Ltd", "acme holdings"),
        ("Acme Holdings, Inc.", "acme holdings"),
        ("Müller Bau GmbH & Co. KG", "bau muller"),
        ("ООО «Ромашка»", "romashka"),
        ("Общество с ограниченной ответственностью «Ромашка»", "romashka"),
        ("ИП Иванов", "ivanov"),
        ("ТОВ «Світанок»", "svitanok"),
    ],
)
def test_legal_forms_are_stripped_and_make_an_organisation(name, key):
    keys = normalise_name(name)
    assert keys.kind is NameKind.ORGANISATION
    assert keys.ascii_key == key


def test_a_short_form_needs_dots_or_capitals_to_count():
    assert normalise_name("José Sa").kind is NameKind.PERSON
    assert normalise_name("José Sa").ascii_key == "jose sa"
    assert normalise_name("JOSÉ SA").kind is NameKind.PERSON  # all capitals tell nothing
    assert normalise_name("Acme SA").kind is NameKind.ORGANISATION
    assert normalise_name("ACME SA", kind=NameKind.ORGANISATION).ascii_key == "acme"


def test_a_caller_who_says_person_keeps_every_word():
    assert normalise_name("Jan Inc", kind=NameKind.PERSON).ascii_key == "inc jan"


@pytest.mark.parametrize(
    "name",
    [
        "Mec. dr Jan Kowalski",
        "adw. Jan Kowalski",
        "r. pr. Jan Kowalski",
        "Pan Jan Kowalski",
        "Jan Kowalski, radca prawny",
        "prof. dr hab. Jan Kowalski",
        "Mr Jan Kowalski",
        "Sr. Jan Kowalski",
    ],
)
def test_titles_and_honorifics_are_stripped(name):
    assert normalise_name(name).ascii_key == "jan kowalski"


def test_cyrillic_honorific_is_stripped():
    assert normalise_name("г-н Иванов Иван").ascii_key == normalise_name("Иван Иванов").ascii_key


def test_a_title_alone_is_not_stripped_to_nothing():
    assert normalise_name("Dr").ascii_key == "dr"


def test_a_surname_that_is_a_title_elsewhere_is_kept():
    # "Pan" strips only at the start: Zenon Pan keeps his surname.
    assert normalise_name("Zenon Pan").ascii_key == "pan zenon"


def test_word_order_hyphens_and_particles_do_not_change_keys():
    assert normalise_name("Kowalska-Nowak Anna").variant_keys == (
        normalise_name("Anna Nowak Kowalska").variant_keys
    )
    assert normalise_name("García López, María").ascii_key == "garcia lopez maria"
    assert normalise_name("María de la Cruz").ascii_key == "cruz maria"


def test_a_patronymic_is_set_aside():
    keys = normalise_name("Щербаков Алексей Викторович")
    assert keys.ascii_key == "aleksey shcherbakov"
    assert "viktorovich" in keys.patronymic


def test_a_surname_ending_like_a_patronymic_is_kept():
    keys = normalise_name("Шостакович Дмитрий Дмитриевич")
    assert "shostakovich" in keys.ascii_key
    assert keys.patronymic


@pytest.mark.parametrize(
    ("male", "female", "stem"),
    [
        ("kowalski", "kowalska", "kowalsk"),
        ("nowicki", "nowicka", "nowick"),
        ("zawadzki", "zawadzka", "zawadzk"),
        ("ivanov", "ivanova", "ivanov"),
        ("lebedev", "lebedeva", "lebedev"),
        ("pushkin", "pushkina", "pushkin"),
        ("dostoevskiy", "dostoevskaya", "dostoevsk"),
        ("zelenskyi", "zelenska", "zelensk"),
        ("tolstoy", "tolstaya", "tolst"),
    ],
)
def test_gendered_endings_share_a_family_key(male, female, stem):
    assert family_key(male) == FamilyKey(stem, "m")
    assert family_key(female) == FamilyKey(stem, "f")


@pytest.mark.parametrize("word", ["nowak", "garcia", "ewa", "smith"])
def test_words_without_a_gendered_ending_have_no_family_key(word):
    assert family_key(word) is None


def test_given_names_carry_no_family_key():
    keys = normalise_name("Irina Petrova")
    irina = next(t for t in keys.tokens if t.ascii == "irina")
    assert not irina.salient and irina.families == ()
    assert keys.family_keys == ("petrov",)


def test_family_name_says_which_word_is_the_surname():
    keys = normalise_name("Paweł Adam", family_name="Adam")
    salient = {t.ascii for t in keys.tokens if t.salient}
    assert salient == {"adam"}  # Adam is a given name elsewhere, the surname here


def test_variants_are_capped():
    keys = normalise_name("Хрущёв Никита Щербаков")
    assert len(keys.variant_keys) <= MAX_VARIANTS
    assert all(len(t.spellings) <= MAX_VARIANTS for t in keys.tokens)
    assert len(set(keys.variant_keys)) == len(keys.variant_keys)


def test_a_pasted_paragraph_is_bounded_and_quick():
    started = time.perf_counter()
    keys = normalise_name("Kowalski " * 2500)
    assert len(keys.tokens) <= MAX_TOKENS
    assert time.perf_counter() - started < 5  # no blow-up; the benchmark measures speed


@pytest.mark.parametrize("name", ["", "   ", "—", "!!!", "🙂"])
def test_a_name_without_letters_has_no_keys(name):
    keys = normalise_name(name)
    assert keys.is_empty and keys.ascii_key == ""


def test_keys_survive_the_json_column():
    keys = normalise_name("Щербаков Алексей Викторович")
    assert NameKeys.from_json(keys.display_name, keys.to_json()) == keys


def test_keys_of_another_algorithm_version_are_refused():
    data = normalise_name("Jan Kowalski").to_json()
    data["v"] = "names-0"
    with pytest.raises(StaleKeysError):
        NameKeys.from_json("Jan Kowalski", data)
    assert ALGORITHM_VERSION != "names-0"

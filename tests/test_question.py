"""Reading the question: spelling repaired against the articles' words, names kept as names; a question about
whether the sources agree read as the question it embeds; the office a "who is the …" question asks for."""

import pytest

from app.engine.question import analyse_question, respell, unframed

TEXTS = ["South Korea\u2019s defense minister met his Japanese counterpart at the meeting in Yokosuka."]


def test_misspelt_words_take_the_articles_spelling() -> None:
    assert respell("Who attended the meating in Yokosuka?", TEXTS) == "Who attended the meeting in Yokosuka?"


def test_a_name_keeps_its_capital_and_an_apostrophe_is_no_misspelling() -> None:
    """ "South Korea's" became "South korea" + curly "'s" (a conflict's slot read "South korea's defense
    minister")."""
    assert respell("Who is South Korea's defense minister?", TEXTS) == "Who is South Korea's defense minister?"
    assert respell("Who met in Yokosuak?", TEXTS) == "Who met in Yokosuka?"


@pytest.mark.parametrize(
    ("question", "respelt"),
    [
        # A word English uses is no misspelling of the texts' word (each was rewritten before).
        ("Which harbour did eastern ships guard?", "Which harbour did eastern ships guard?"),  # not "western"
        ("What is a rare cytokine?", "What is a rare cytokine?"),  # not "are"
        ("On what date will it be signed?", "On what date will it be signed?"),  # not "signaled"
        # Another form of the texts' word is theirs, an irregular one too.
        ("When did the ministers meet?", "When did the ministers met?"),
        ("When did the ministers agree?", "When did the ministers agreed?"),
        ("Whats the harbour?", "what the harbour?"),
    ],
)
def test_only_misspellings_and_other_forms_are_respelt(question: str, respelt: str) -> None:
    texts = ["Western ships guarded the harbour; cytokine levels are signaled; the ministers met and agreed."]
    assert respell(question, texts) == respelt


@pytest.mark.parametrize(
    ("question", "plain"),
    [
        ("Do the articles agree on who the defense ministers are?", "Who are the defense ministers?"),
        ("do all the reports agree about where the meeting was held", "Where was the meeting held?"),
        ("Do the sources agree on which minister attended?", "Which minister attended?"),
        ("Do the reports agree on how many people were killed?", "How many people were killed?"),
        ("Do the articles disagree about the death toll?", "What do the sources say about the death toll?"),
        ("Do the articles agree on whether the talks resumed?", "Do the articles agree on whether the talks resumed?"),
        ("Did the ministers agree on the plan?", "Did the ministers agree on the plan?"),  # a question about them
    ],
)
def test_a_question_about_agreement_is_answered_as_the_question_it_embeds(question: str, plain: str) -> None:
    assert unframed(question) == plain


@pytest.mark.parametrize(
    ("question", "role"),
    [
        ("Who is the Japanese prime minister named in the articles?", ("prime", "minist")),
        ("Who is the commander of US Forces in South Korea?", ("command",)),
        ("Who is the new president of France?", ("presid",)),  # "new" says when, not which office
        ("Which country did Seoul establish ties with?", ()),  # a place, not a person's office
        ("Who attended the meeting?", ()),
        ("Who is Park Cheol-hee?", ()),
    ],
)
def test_the_office_a_person_is_asked_for_by(question: str, role: tuple[str, ...]) -> None:
    assert analyse_question(question).role == role


@pytest.mark.parametrize(
    ("question", "labels"),
    [
        # Was untyped: the parser makes no noun chunk of "What year" before "did", so a reader's rewrite "What year
        # did … die?" was refused (it asks for no typed value) and a year answer counted as a phrase.
        ("What year did President Oler take the stand in court?", {"DATE", "TIME", "DURATION"}),
        ("Which year did he die?", {"DATE", "TIME", "DURATION"}),
        ("What year was the bridge opened?", {"DATE", "TIME", "DURATION"}),
        ("Which country did he visit?", {"GPE", "LOC", "FAC"}),
        ("What did he say?", set()),
    ],
)
def test_the_noun_after_which_or_what_types_the_answer(question: str, labels: set[str]) -> None:
    assert analyse_question(question).answer_labels == labels


@pytest.mark.parametrize(
    ("question", "labels"),
    [
        # A measure asks for an amount, a span of time for a duration or date: the reader's rewrite of "greater than
        # 615 km?" ("What was the total distance …?") was refused as untyped.
        ("What was the total distance of the race?", {"CARDINAL", "QUANTITY", "MONEY", "PERCENT"}),
        ("What percentage of patients have a headache?", {"CARDINAL", "QUANTITY", "MONEY", "PERCENT"}),
        ("What was the duration of the dynasty's rule?", {"DURATION"}),
        ("What period did the Pradyota dynasty rule in Bihar?", {"DATE", "TIME", "DURATION"}),
        # Was typed as a place: "sport" was taken for a misspelt "port", "action" for "nation", "stance" for
        # "distance"; a word English uses is no misspelling. A plural or a real misspelling still types.
        ("What sport is William Carrier associated with?", set()),
        ("What action did Begich take?", set()),
        ("What is Palin's stance on the cause of climate change?", set()),
        ("Which ministers attended?", {"PERSON"}),
        ("Which presidnet visited?", {"PERSON"}),
    ],
)
def test_the_head_noun_types_the_answer_as_written(question: str, labels: set[str]) -> None:
    assert analyse_question(question).answer_labels == labels

"""Reading the question: spelling repaired against the articles' words, names kept as names."""

from app.engine.question import respell

TEXTS = ["South Korea\u2019s defense minister met his Japanese counterpart at the meeting in Yokosuka."]


def test_misspelt_words_take_the_articles_spelling() -> None:
    assert respell("Who attended the meating in Yokosuka?", TEXTS) == "Who attended the meeting in Yokosuka?"


def test_a_name_keeps_its_capital_and_an_apostrophe_is_no_misspelling() -> None:
    """ "South Korea's" became "South korea" + curly "'s" (a conflict's slot read "South korea's defense
    minister")."""
    assert respell("Who is South Korea's defense minister?", TEXTS) == "Who is South Korea's defense minister?"
    assert respell("Who met in Yokosuak?", TEXTS) == "Who met in Yokosuka?"

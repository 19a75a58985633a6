"""A yes/no question that supposes a value is read as the open question for that value.

"Did Karl Weyprecht die on 2 March 1881?" is read as "When did Karl Weyprecht die?": each source then states its
date, and two dates contradict by rule. Asked the yes/no question itself, the packaged model reads "yes" from the
passage saying 2 March and "none" from the one saying 3 March (it does not read a different value as a no), so
the disagreement went unseen: 11 of WikiContradict's 68 logged yes/no conflicts were found against 26 of its 54
other conflicts. One LLM call rewrites the question; the rewrite is kept only when it asks for a typed value
(when / where / who / how many), so "Did the defence ministers agree to hold regular meetings?" stays a yes/no
question (its open form, "What did they agree to?", has many right answers), and only when it leaves out
something the question names, the value it supposes: "Did Gen Nakatani visit South Korea in 2025?" came back as
"When did Gen Nakatani visit South Korea in 2025?", "Is Shinjiro Koizumi Japan's defense minister?" as "Who is
Shinjiro Koizumi's current position in Japan?"; read so, a source stating the supposed value restates the
question, and two sources naming other ministers made a false disagreement.
What the rewrite leaves out is what the question supposes: each source's answer is then a yes or a no to the
question asked (app/reader/verdict.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.engine.nlp import terms
from app.engine.question import QuestionInfo, analyse_question
from app.reader.models import ReaderModel, ReplyFailed, Usage
from app.reader.prompts import REFRAME_SYSTEM, OpenQuestion, reframe_prompt
from app.reader.read import CHOICE, YES_NO_QUESTION, yes_no_question

REFRAME_TOKENS = 60  # {"question": "<about 15 words>"}


@dataclass(frozen=True)
class Reframed:
    """The open question a yes/no question checks, analysed as the reader reads with it, and what the yes/no
    question (`asked`) supposes: the named things, dates and numbers the rewrite leaves out ("2 March 1881")."""

    info: QuestionInfo
    supposed: tuple[str, ...]
    asked: str


def reframe(model: ReaderModel, question: str, timeout: float) -> tuple[Reframed | None, Usage]:
    """The open question a yes/no `question` checks, if the model gives one asking for a typed value and leaving
    out the value the question supposes; with what the call cost. No call when the question is not yes/no, or
    names nothing (no name, date or number) a rewrite could leave out: "Is sleep essential for all complex
    animals?" or "Did the ministers discuss the radar incident?" would be read as asked anyway."""
    if not yes_no_question(question):
        return None, Usage()
    named = {thing.text: set(terms(thing.text)) for thing in analyse_question(question).anchors}
    if not any(named.values()):
        return None, Usage()
    try:
        reply, usage = model.reply(REFRAME_SYSTEM, reframe_prompt(question), OpenQuestion, REFRAME_TOKENS, timeout)
    except ReplyFailed:
        return None, Usage(1)
    rewritten = " ".join(reply.question.split())
    if not rewritten.endswith("?") or YES_NO_QUESTION.match(rewritten) or CHOICE.search(rewritten):
        return None, usage
    info = analyse_question(rewritten)
    kept = set(terms(rewritten))
    supposed = tuple(text for text, words in named.items() if words - kept)  # a word left out: "1852", "more than one"
    return (Reframed(info, supposed, question) if info.answer_labels and supposed else None), usage

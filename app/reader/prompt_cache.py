"""The local model's saved states: one per instruction text, restored when a call switches instructions.

llama.cpp's context holds one prompt, and a question switches instructions (rewrite, read, compare): without
saved states every switch re-reads them, ~150 tokens or ~2.5 s on 2 cores, twice for each yes/no question (the
rewrite, then the first reading) and once for the first comparison. Consecutive calls with the same instructions
need nothing saved: llama.cpp reuses the prefix its context already holds.

llama-cpp-python's own cache (`Llama.set_cache`) saved a state after every call (0.08-0.5 s each, and a
transient copy of its ~300 MB logits buffer), although only the instructions' part of a state is ever reused:
the question and the source after them change from call to call. Here a state is saved once per instruction
text, the first time it is used, and only the last row of its logits is kept (sampling runs inside llama.cpp
and reads nothing else; a restored prompt's first new token is decoded afresh anyway).
"""

from __future__ import annotations

from collections import OrderedDict

from llama_cpp import Llama, LlamaState

MAX_STATES = 4  # instruction texts kept: rewrite, read and compare, and the chat's follow-up question


class InstructionStates:
    """Which instructions the context of `llama` holds, and a saved state for each instruction text used."""

    def __init__(self, llama: Llama, limit: int = MAX_STATES) -> None:
        self._llama = llama
        self._limit = limit
        self._states: OrderedDict[str, LlamaState] = OrderedDict()
        self._live: str | None = None  # the instructions the context holds; None when unknown (a failed call)

    def resume(self, system: str) -> None:
        """Before a call with instructions `system`: restore their saved state unless the context holds them."""
        state = self._states.get(system)
        if system != self._live and state is not None:
            self._llama.load_state(state)
            self._states.move_to_end(system)
        self._live = None  # known again once the call has succeeded

    def keep(self, system: str) -> None:
        """After a call with `system` succeeded: the context holds it; save its state if none is kept yet."""
        self._live = system
        if system in self._states:
            return
        state = self._llama.save_state()
        state.scores = state.scores[-1:].copy()
        self._states[system] = state
        if len(self._states) > self._limit:
            self._states.popitem(last=False)

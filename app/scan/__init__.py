"""The disagreement map: what the sources disagree about, found before anyone asks."""

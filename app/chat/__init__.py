"""The conversation stage: follow-ups read with what came before, conversations kept."""

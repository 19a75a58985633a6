"""The reader: an LLM reads each retrieved source on its own, quotes it, and the answers are compared."""

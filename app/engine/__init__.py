"""The instant engine: retrieval, question analysis, evidence, rule conflicts, the composer, the citation check —
no LLM, milliseconds."""

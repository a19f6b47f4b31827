"""Critics that screen a cut and write a `Critique`: the offline editor, and a viewer persona through an LLM."""

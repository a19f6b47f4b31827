"""Sound design at the intra-shot scale: which effects and foley are heard, when, and why."""

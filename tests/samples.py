"""Sample texts shared by the CLI, batch and engine tests (written for these tests)."""

SPUN = "We used counterfeit consciousness and an irregular woodland.\n"
CLEAN = "The committee met on Tuesday and approved the budget.\n"

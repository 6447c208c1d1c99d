"""Model conformance: the process version in force against the decision in force."""

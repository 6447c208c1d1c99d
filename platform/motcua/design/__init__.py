"""The designers' capability: drafts, the modeler, checks, generation and publishing."""

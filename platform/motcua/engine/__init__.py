"""Process execution: the safe expression subset and the SpiffWorkflow adapter."""

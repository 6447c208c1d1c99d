"""Decision 766/QĐ-TTg indicators, computed from the platform's own data."""

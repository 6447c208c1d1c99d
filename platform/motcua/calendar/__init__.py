"""Working-time calendar: deadlines in working minutes (Vietnam one-stop rules)."""

"""The demo province and process library behind ``motcua demo``."""

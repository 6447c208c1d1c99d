"""Keeping an installation: ``motcua backup FILE`` and ``motcua restore FILE``.

A backup is one tar archive: the database (SQLite's online backup, or ``pg_dump`` custom
format), the attachments store, the audit's signing key, and a manifest with the SHA-256 of
every member. It reads every domain's storage and is imported by nothing but the command
line (``motcua.cli.register_cli``)."""

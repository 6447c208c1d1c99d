"""The form designer: e-forms built as rows of fields (title, type, limits, options...) and
compiled to the JSON Schema + ui.json that the one renderer (``motcua.forms``) draws and the
validator checks; existing schemas read back into rows, whatever the renderer draws but the
rows cannot say kept verbatim as read-only "advanced" parts. Forms are saved with the draft."""

"""Server-rendered e-forms: a JSON Schema (+ ui.json) as accessible HTML, and the posted
form back into data for ``motcua.schema_errors.validate``.

Typical view::

    parsed = parse_form(schema, ui, request.form)
    if parsed.action:  # "Thêm dòng" / "Xóa dòng" without JavaScript: show the form again
        html = render_form(schema, ui, parsed.data, raw=parsed.raw, officers=officers)
    else:
        problems = parsed.merge(validate(parsed.data, schema, root="data"))
        if problems:
            html = render_form(schema, ui, parsed.data, errors_by_field(problems),
                               raw=parsed.raw, officers=officers)

What is kept of a form's data, from a page or the API alike (its size, the keys the form
does not define), is ``motcua.forms.conform``'s to say; operations call it, not views.

Constructs the renderer does not draw field by field (``$ref``, ``oneOf``/``anyOf``/``allOf``
other than a list of ``const`` choices, ``not``, ``if``, tuple arrays, lists of lists, objects
without properties, several types) become one textarea holding the value as JSON.
"""

from motcua.forms.parsing import ParsedForm, errors_by_field, parse_form
from motcua.forms.renderer import render_form

__all__ = ["ParsedForm", "errors_by_field", "parse_form", "render_form"]

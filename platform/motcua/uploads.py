"""A file posted to the API or a page, read whole up to a size, or refused naming its field:
one reader for process, draft and table uploads."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import FileStorage

from motcua.errors import field_error

MAX_FILE = 5 * 1024 * 1024


def read_upload(upload: Any, field: str) -> tuple[str, bytes]:
    """(file name, content) of ``upload``; 422 on ``field`` when it is not a file or is
    larger than 5 MB (read one byte past the limit, never the whole of a huge body)."""
    if not isinstance(upload, FileStorage):
        raise field_error(field, "Phải là tệp tải lên")
    content = upload.read(MAX_FILE + 1)
    if len(content) > MAX_FILE:
        raise field_error(field, "Tệp quá lớn (tối đa 5 MB)")
    return upload.filename or field, content

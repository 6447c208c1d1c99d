"""Who is signed in to the browser UI: a view decorator that loads the session user into
``g.user`` or sends the browser to the login page. It sits with the users, below every
domain, so any capability's pages (documents, design, audit) use it without importing
the officers' desk in ``web/``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, redirect, request, url_for

from motcua.org.auth import user_from_session
from motcua.org.models import User

View = TypeVar("View", bound=Callable[..., Any])


def signed_in(view: View) -> View:
    """Run ``view`` with ``g.user`` set; an anonymous browser goes to /login?next=<here>."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = user_from_session()
        if user is None:
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        g.user = user
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def web_user() -> User:
    """The signed-in user of a view decorated with ``signed_in``."""
    user: User = g.user
    return user

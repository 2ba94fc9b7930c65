"""The review queue's web app: FastAPI routes rendering Jinja2 pages, plus two small JSON endpoints
that the note page's script calls. Every POST carries the session's CSRF token; every page sends
a strict Content-Security-Policy (scripts and styles from /static only)."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Form, Header, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import auth, queue
from .db import open_database
from .models import Action, Extraction, Item, Note, User, WebSession
from .noteview import css_class, explanation, facts_panel, item_marks, mention_marks, not_counted, segments
from .tables import FAMILIES, REJECT_REASONS, code_labels, confidence_band, flag_text
from .worklist import CountCache

HERE = Path(__file__).resolve().parent
COOKIE = "opnote_session"
LOGIN_CSRF = "opnote_login_csrf"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals.update(flag_text=flag_text, band=confidence_band, labels=code_labels,
                             reasons=REJECT_REASONS, families=FAMILIES)


class LoginRequired(Exception):
    pass


class Forbidden(Exception):
    pass


@dataclass
class Auth:
    user: User
    web: WebSession
    token: str


def db(request: Request) -> Iterator[Session]:
    with request.app.state.factory() as session:
        yield session


def current(request: Request, session: Session = Depends(db)) -> Auth:
    token = request.cookies.get(COOKIE)
    found = auth.session_user(session, token)
    if found is None:
        raise LoginRequired()
    return Auth(found[0], found[1], token)


def admin(who: Auth = Depends(current)) -> Auth:
    if who.user.role != "admin":
        raise Forbidden()
    return who


def require_csrf(who: Auth, token: str | None) -> None:
    if not auth.csrf_ok(who.web.csrf_token, token):
        raise Forbidden()


def page(request: Request, name: str, who: Auth | None, status: int = 200, **context: Any) -> HTMLResponse:
    context |= {"user": who.user if who else None, "csrf": who.web.csrf_token if who else None}
    return templates.TemplateResponse(request, name, context, status_code=status)


def create_app(db_url: str | None = None, claim_minutes: int = queue.DEFAULT_CLAIM_MINUTES,
               secure_cookies: bool = False, count_seconds: float = 5.0) -> FastAPI:
    """The app on a migrated database (SQLite file by default, or any SQLAlchemy URL)."""
    engine, factory = open_database(db_url)
    app = FastAPI(title="opnote review queue", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.engine, app.state.factory = engine, factory
    app.state.claim_minutes, app.state.secure_cookies = claim_minutes, secure_cookies
    app.state.counts = CountCache(count_seconds)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    _handlers(app)
    from . import routes

    app.include_router(routes.router)
    return app


def _handlers(app: FastAPI) -> None:
    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "Your session ended: log in again."}, status_code=401)
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, _exc: Forbidden) -> Response:
        message = "Not allowed: your role does not permit this, or the form expired (reload the page)."
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=403)
        return HTMLResponse(f"<!doctype html><title>Forbidden</title><p>{message}</p><p><a href='/'>Worklist</a>",
                            status_code=403)

    @app.exception_handler(queue.Conflict)
    async def conflict(_request: Request, exc: queue.Conflict) -> Response:
        return JSONResponse({"error": str(exc)}, status_code=409)

    @app.exception_handler(queue.Invalid)
    async def invalid(_request: Request, exc: queue.Invalid) -> Response:
        return JSONResponse({"error": str(exc)}, status_code=400)


class NoQueryString(logging.Filter):
    """Access log lines without query strings: filters could one day carry words from a note."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3 and isinstance(record.args[2], str):
            args = list(record.args)
            args[2] = args[2].split("?", 1)[0]
            record.args = tuple(args)
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging with the access log filtered (request bodies are never logged)."""
    from uvicorn.config import LOGGING_CONFIG

    config = {**LOGGING_CONFIG, "filters": {"no_query": {"()": NoQueryString}}}
    config["handlers"] = {**LOGGING_CONFIG["handlers"],
                          "access": {**LOGGING_CONFIG["handlers"]["access"], "filters": ["no_query"]}}
    return config


def load_note(session: Session, pk: int) -> Note:
    note = session.get(Note, pk)
    if note is None:
        raise HTTPException(404, "No such note")
    return note


def note_context(session: Session, note: Note, who: Auth) -> dict[str, Any]:
    """Everything the note page shows. Coders see the history of the current review round only, so
    a second review is independent of the first; admins see every round."""
    extraction = session.get(Extraction, note.extraction_id)
    record = extraction.record
    items = queue.current_items(session, note)
    mentions = not_counted(record.get("facts") or {})
    colours = {item.id: n % 8 for n, item in enumerate(items)}
    pending = session.get(Extraction, note.pending_extraction_id) if note.pending_extraction_id else None
    history_query = select(Action).where(Action.note_pk == note.id).order_by(Action.id)
    if who.user.role != "admin":
        history_query = history_query.where(Action.round == note.round)
    history = session.scalars(history_query).all()
    holder = session.get(User, note.claimed_by) if note.claimed_by else None
    cut = segments(extraction.text, item_marks(items) + mention_marks(mentions), extraction.sections)
    return {"note": note, "extraction": extraction, "items": items, "colours": colours,
            "segments": [(seg, css_class(seg, colours)) for seg in cut],
            "mentions": mentions, "facts": facts_panel(record.get("facts")), "note_flags": record.get("flags") or [],
            "explanations": {i.id: explanation(i) for i in items}, "review": queue.review_summary(items),
            "pending": pending, "history": history, "holder": holder, "sections": extraction.sections,
            "item_codes": dict(session.execute(select(Item.id, Item.code).where(Item.note_pk == note.id)).all())}


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", path="/",
                        secure=request.app.state.secure_cookies)


class Decision(BaseModel):
    version: int
    decision: str
    reason: str | None = None
    reason_text: str | None = None
    code: str | None = None
    units: int | None = None


class Added(BaseModel):
    version: int
    code: str
    units: int = 1
    start: int
    end: int


# Form fields shared by the routes module.
CsrfField = Form("")
VersionField = Form(...)
CsrfHeader = Header(None, alias="X-CSRF-Token")

"""The pages and actions of the review queue (mounted by ``web.create_app``)."""
from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import auth, export, queue, stats
from .models import User
from .web import (COOKIE, LOGIN_CSRF, Added, Auth, CsrfField, CsrfHeader, Decision, VersionField, admin, current,
                  db, load_note, note_context, page, require_csrf, set_cookie)
from .worklist import Filters, worklist

router = APIRouter()


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/login")
def login_page(request: Request) -> Response:
    token = secrets.token_urlsafe(32)
    response = page(request, "login.html", None, login_csrf=token)
    set_cookie(response, request, LOGIN_CSRF, token, 3600)
    return response


@router.post("/login")
def login(request: Request, username: str = Form(""), password: str = Form(""), csrf_token: str = CsrfField,
          session: Session = Depends(db)) -> Response:
    if not auth.csrf_ok(request.cookies.get(LOGIN_CSRF), csrf_token):
        return login_page(request)
    user = auth.authenticate(session, username, password)
    if user is None:
        token = secrets.token_urlsafe(32)
        response = page(request, "login.html", None, 401, login_csrf=token, error="Wrong username or password.")
        set_cookie(response, request, LOGIN_CSRF, token, 3600)
        return response
    response = _see("/")
    set_cookie(response, request, COOKIE, auth.start_session(session, user), auth.SESSION_HOURS * 3600)
    response.delete_cookie(LOGIN_CSRF, path="/")
    return response


@router.post("/logout")
def logout(csrf_token: str = CsrfField, who: Auth = Depends(current), session: Session = Depends(db)) -> Response:
    require_csrf(who, csrf_token)
    auth.end_session(session, who.token)
    response = _see("/login")
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/")
def worklist_page(request: Request, who: Auth = Depends(current), session: Session = Depends(db)) -> Response:
    filters = Filters.from_query(dict(request.query_params))
    result = worklist(session, filters, request.app.state.counts)
    return page(request, "worklist.html", who, filters=filters, result=result,
                message=request.query_params.get("empty") and "No unclaimed note is left in the queue.")


@router.post("/next")
def next_note(request: Request, csrf_token: str = CsrfField, who: Auth = Depends(current),
              session: Session = Depends(db)) -> Response:
    require_csrf(who, csrf_token)
    note = queue.next_note(session, who.user, request.app.state.claim_minutes)
    return _see(f"/notes/{note.id}" if note else "/?empty=1")


@router.get("/notes/{pk}")
def note_page(request: Request, pk: int, who: Auth = Depends(current), session: Session = Depends(db)) -> Response:
    note = load_note(session, pk)
    return page(request, "note.html", who, **note_context(session, note, who))


def _note_action(request: Request, session: Session, who: Auth, pk: int, action) -> Response:
    """Run a form action on a note; on a conflict or invalid request show the page with the message."""
    note = load_note(session, pk)
    try:
        action(note)
    except (queue.Conflict, queue.Invalid) as exc:
        session.rollback()
        note = load_note(session, pk)
        status = 409 if isinstance(exc, queue.Conflict) else 400
        return page(request, "note.html", who, status, error=str(exc), **note_context(session, note, who))
    return _see(f"/notes/{pk}")


@router.post("/notes/{pk}/claim")
def claim(request: Request, pk: int, version: int = VersionField, csrf_token: str = CsrfField,
          who: Auth = Depends(current), session: Session = Depends(db)) -> Response:
    require_csrf(who, csrf_token)
    minutes = request.app.state.claim_minutes
    return _note_action(request, session, who, pk, lambda n: queue.claim(session, n, who.user, version, minutes))


@router.post("/notes/{pk}/release")
def release(request: Request, pk: int, version: int = VersionField, csrf_token: str = CsrfField,
            who: Auth = Depends(current), session: Session = Depends(db)) -> Response:
    require_csrf(who, csrf_token)
    return _note_action(request, session, who, pk, lambda n: queue.release(session, n, who.user, version))


@router.post("/notes/{pk}/submit")
def submit(request: Request, pk: int, version: int = VersionField, csrf_token: str = CsrfField,
           who: Auth = Depends(current), session: Session = Depends(db)) -> Response:
    require_csrf(who, csrf_token)
    return _note_action(request, session, who, pk, lambda n: queue.submit(session, n, who.user, version))


@router.post("/notes/{pk}/rounds")
def new_round(request: Request, pk: int, version: int = VersionField, kind: str = Form("second"),
              csrf_token: str = CsrfField, who: Auth = Depends(admin), session: Session = Depends(db)) -> Response:
    require_csrf(who, csrf_token)
    return _note_action(request, session, who, pk,
                        lambda n: queue.start_round(session, n, who.user, version, newer=kind == "newer"))


@router.post("/api/notes/{pk}/items/{item_id}")
def decide(request: Request, pk: int, item_id: int, body: Decision, csrf: str | None = CsrfHeader,
           who: Auth = Depends(current), session: Session = Depends(db)) -> dict:
    require_csrf(who, csrf)
    note = load_note(session, pk)
    queue.decide(session, note, who.user, body.version, item_id, body.decision, body.reason, body.reason_text,
                 body.code, body.units, request.app.state.claim_minutes)
    return {"version": note.version}


@router.post("/api/notes/{pk}/items")
def add(request: Request, pk: int, body: Added, csrf: str | None = CsrfHeader, who: Auth = Depends(current),
        session: Session = Depends(db)) -> dict:
    require_csrf(who, csrf)
    note = load_note(session, pk)
    item = queue.add_code(session, note, who.user, body.version, body.code, body.units, body.start, body.end,
                          request.app.state.claim_minutes)
    return {"version": note.version, "item": item.id}


@router.get("/stats")
def stats_page(request: Request, who: Auth = Depends(admin), session: Session = Depends(db)) -> Response:
    return page(request, "stats.html", who, stats=stats.compute(session))


@router.get("/export")
def export_file(format: str = "csv", status: str = "", who: Auth = Depends(admin),
                session: Session = Depends(db)) -> Response:
    if format not in export.FORMATS:
        raise queue.Invalid("format must be csv or fhir")
    body = export.render(session, format, status or None)
    media, suffix = ("text/csv", "csv") if format == "csv" else ("application/fhir+json", "json")
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="opnote-queue-export.{suffix}"'})


@router.get("/users")
def users_page(request: Request, who: Auth = Depends(admin), session: Session = Depends(db)) -> Response:
    return page(request, "users.html", who, users=session.scalars(select(User).order_by(User.username)).all())


@router.post("/users")
def add_user(request: Request, username: str = Form(""), password: str = Form(""), role: str = Form("coder"),
             csrf_token: str = CsrfField, who: Auth = Depends(admin), session: Session = Depends(db)) -> Response:
    require_csrf(who, csrf_token)
    try:
        auth.add_user(session, username, password, role)
    except ValueError as exc:
        session.rollback()
        return page(request, "users.html", who, 400, error=str(exc),
                    users=session.scalars(select(User).order_by(User.username)).all())
    return _see("/users")


@router.post("/users/{user_id}")
def change_user(request: Request, user_id: int, role: str = Form(""), active: str = Form(""),
                password: str = Form(""), csrf_token: str = CsrfField, who: Auth = Depends(admin),
                session: Session = Depends(db)) -> Response:
    require_csrf(who, csrf_token)
    user = session.get(User, user_id)
    error = None
    try:
        if user is None:
            raise ValueError("no such user")
        if user.id == who.user.id and (role not in ("", "admin") or active == "0"):
            raise ValueError("you cannot remove your own admin role or deactivate yourself")
        if role in auth.ROLES:
            user.role = role
        if active in ("0", "1"):
            user.active = active == "1"
        if password:
            auth.set_password(session, user, password)
        session.commit()
    except ValueError as exc:
        session.rollback()
        error = str(exc)
    if error:
        return page(request, "users.html", who, 400, error=error,
                    users=session.scalars(select(User).order_by(User.username)).all())
    return _see("/users")

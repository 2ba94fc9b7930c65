"""Users, passwords (Argon2id via argon2-cffi), server-side sessions and CSRF tokens.

The browser holds only a random session token (HttpOnly, SameSite cookie); the database keeps its
SHA-256, so a leaked database does not leak live sessions. Each session has its own CSRF token, put
in every form and sent by the page's JavaScript in a header.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .models import User, WebSession, utcnow

ROLES = ("coder", "admin")
SESSION_HOURS = 12
MIN_PASSWORD = 8
_hasher = PasswordHasher()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password needs at least {MIN_PASSWORD} characters")


def add_user(session: Session, username: str, password: str, role: str) -> User:
    username = username.strip()
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not username or len(username) > 64 or not username.replace("_", "").replace(".", "").replace("-", "").isalnum():
        raise ValueError("a username is 1-64 letters, digits, '.', '-' or '_'")
    check_password_rules(password)
    if session.scalar(select(User).where(User.username == username)):
        raise ValueError(f"user {username} already exists")
    user = User(username=username, password_hash=_hasher.hash(password), role=role, active=True)
    session.add(user)
    session.commit()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    check_password_rules(password)
    user.password_hash = _hasher.hash(password)
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))  # log out everywhere
    session.commit()


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active:
        _hasher.hash(password)  # same work either way: no user enumeration by timing
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.commit()
    return user


def start_session(session: Session, user: User) -> str:
    """A new session for the user; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(WebSession(token_hash=_hash_token(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
                           created_at=now, expires_at=now + timedelta(hours=SESSION_HOURS)))
    session.commit()
    return token


def session_user(session: Session, token: str | None) -> tuple[User, WebSession] | None:
    if not token:
        return None
    web = session.scalar(select(WebSession).where(WebSession.token_hash == _hash_token(token)))
    if web is None or web.expires_at < utcnow():
        return None
    user = session.get(User, web.user_id)
    return (user, web) if user and user.active else None


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(WebSession).where(WebSession.token_hash == _hash_token(token)))
        session.commit()


def csrf_ok(expected: str | None, given: str | None) -> bool:
    return bool(expected and given and secrets.compare_digest(expected, given))

"""The review queue as coders and admins use it, on SQLite and on a real PostgreSQL."""
from __future__ import annotations

import html
import re
import threading

from sqlalchemy import text, update

from extractor.review.models import Note, utcnow


def test_login_required_and_wrong_password_refused(app, login):
    from fastapi.testclient import TestClient

    anonymous = TestClient(app)
    assert anonymous.get("/", follow_redirects=False).headers["location"] == "/login"
    assert anonymous.post("/api/notes/1/items/1", json={"version": 1, "decision": "accepted"}).status_code == 401
    page = anonymous.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = anonymous.post("/login", data={"username": "cody", "password": "wrong password", "csrf_token": token})
    assert response.status_code == 401 and "Wrong username or password" in response.text
    cookie = login("cody").http.cookies
    assert "opnote_session" in cookie


def test_session_cookie_is_httponly_and_samesite(app):
    from fastapi.testclient import TestClient

    client = TestClient(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    response = client.post("/login", data={"username": "cody", "password": "correct horse battery", "csrf_token": token},
                           follow_redirects=False)
    cookie = [c for c in response.headers.get_list("set-cookie") if c.startswith("opnote_session=")][0].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_posts_without_csrf_token_are_refused(login, loaded):
    cody = login("cody")
    pk = cody.pk("sample_01")
    note = cody.note(pk)
    forged = cody.http.post(f"/api/notes/{pk}/items/{note['items'][0]['id']}",
                            json={"version": note["version"], "decision": "accepted"})
    assert forged.status_code == 403
    assert cody.http.post("/next", data={}, follow_redirects=False).status_code == 403
    assert cody.note(pk)["version"] == note["version"]  # nothing changed


def test_note_text_is_escaped(login):
    cody = login("cody")
    page = cody.note(cody.pk("script_note"))["html"]
    assert "<script>alert" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "&amp;amp;" in page  # the note's own "&amp;" shows as typed


def test_evidence_is_highlighted_in_the_colour_of_its_code(login, corpus):
    cody = login("cody")
    note = cody.note(cody.pk("sample_02"))
    record = corpus["records"]["sample_02"]
    for position, suggestion in enumerate(record["suggestions"]):
        item = note["items"][position]
        assert item["code"] == suggestion["code"]
        for evidence in suggestion["evidence"]:
            span = re.search(rf'<span data-start="{evidence["start"]}" class="([^"]*)" data-keys="([^"]*)">',
                             note["html"])
            assert span and f"i{item['id']}" in span.group(2).split()
            assert "mark" in span.group(1)


def test_selection_offsets_survive_crlf(login, corpus):
    """Every text segment carries its offset into the stored note, carriage returns excluded, so a
    selection maps back exactly."""
    cody = login("cody")
    page = cody.note(cody.pk("script_note"))["html"]
    text = corpus["texts"]["script_note"]
    for start, piece in re.findall(r'<span data-start="(\d+)"[^>]*>([^<]*)</span>', page):
        piece = html.unescape(piece)
        assert text[int(start):int(start) + len(piece)] == piece


def test_facts_panel_shows_what_was_not_counted_and_why(login):
    cody = login("cody")
    page = html.unescape(cody.note(cody.pk("explained"))["html"])
    assert "planned / hypothetical" in page and "negated (not done)" in page
    assert "cue: " in page and "CUE-Ponte osteotomies" in page and "HYPOTHETICAL" in page
    assert "allograft morselized" in page  # an excluded graft mention
    assert "Base confidence 0.95: named osteotomy with levels in the narrative" in page
    assert "Two osteotomy families at different segments" in page  # penalty flag in plain words
    assert "S1: Osteotomy at a sacral segment" in page


def test_accept_reject_modify_add_and_submit(login, corpus):
    cody = login("cody")
    pk = cody.pk("sample_05")
    note = cody.note(pk)
    first, second, third = note["items"][:3]
    version = note["version"]
    version = cody.decide(pk, first["id"], version, decision="accepted").json()["version"]
    missing_reason = cody.decide(pk, second["id"], version, decision="rejected")
    assert missing_reason.status_code == 400 and "reason" in missing_reason.json()["error"]
    other_without_text = cody.decide(pk, second["id"], version, decision="rejected", reason="other")
    assert other_without_text.status_code == 400
    version = cody.decide(pk, second["id"], version, decision="rejected", reason="wrong_level").json()["version"]
    not_in_table = cody.decide(pk, third["id"], version, decision="modified", code="99999", units=1)
    assert not_in_table.status_code == 400 and "not in the code table" in not_in_table.json()["error"]
    same = cody.decide(pk, third["id"], version, decision="modified", code=third["code"], units=1)
    assert same.status_code == 400 and "accept it instead" in same.json()["error"]
    version = cody.decide(pk, third["id"], version, decision="modified", code="22206", units=1).json()["version"]
    page = cody.note(pk)["html"]
    assert 'id="submit-open" disabled' in page and "still to decide" in page
    early = cody.form(f"/notes/{pk}/submit", version=str(version))
    assert early.status_code == 400 and "still need a decision" in early.text
    text = corpus["texts"]["sample_05"]
    start = text.index("Local")
    added = cody.add(pk, version, code="20937", units=1, start=start, end=start + 5)
    assert added.status_code == 200
    version = added.json()["version"]
    for item in cody.note(pk)["items"][3:]:
        if item["origin"] == "suggested":
            version = cody.decide(pk, item["id"], version, decision="accepted").json()["version"]
    page = cody.note(pk)["html"]
    assert 'id="submit-open" disabled' not in page
    assert cody.form(f"/notes/{pk}/submit", version=str(version)).status_code == 303
    page = html.unescape(cody.note(pk)["html"])
    assert "completed" in page and "rejected: Wrong level" in page and "modified to 22206" in page
    assert "added by the coder" in page


def test_addon_without_its_primary_blocks_submit(login):
    cody = login("cody")
    pk = cody.pk("sample_01")  # 20936, 22212, 22216x2, 22843
    note = cody.note(pk)
    version = note["version"]
    for item in note["items"]:
        body = {"decision": "rejected", "reason": "not_performed"} if item["code"] == "22212" else \
            {"decision": "accepted"}
        version = cody.decide(pk, item["id"], version, **body).json()["version"]
    page = html.unescape(cody.note(pk)["html"])
    assert "add-on 22216 needs one of 22210, 22212, 22214" in page and 'id="submit-open" disabled' in page
    assert cody.form(f"/notes/{pk}/submit", version=str(version)).status_code == 400


def test_stale_save_from_a_second_client_is_refused_with_a_clear_message(login):
    cody, cody_tab = login("cody"), login("cody")
    pk = cody.pk("sample_02")
    first, second = cody.note(pk), cody_tab.note(pk)
    assert cody.decide(pk, first["items"][0]["id"], first["version"], decision="accepted").status_code == 200
    stale = cody_tab.decide(pk, second["items"][0]["id"], second["version"], decision="rejected",
                            reason="not_performed")
    assert stale.status_code == 409
    assert "changed by cody (accepted)" in stale.json()["error"] and "not saved" in stale.json()["error"]
    assert "accepted by cody" in cody.note(pk)["html"]


def test_a_claimed_note_is_refused_to_another_coder_until_the_claim_expires(login, loaded):
    cody, cleo = login("cody"), login("cleo")
    pk = cody.pk("sample_03")
    note = cody.note(pk)
    assert cody.form(f"/notes/{pk}/claim", version=str(note["version"])).status_code == 303
    note = cleo.note(pk)
    held = cleo.decide(pk, note["items"][0]["id"], note["version"], decision="accepted")
    assert held.status_code == 409 and "cody is working on this note" in held.json()["error"]
    with loaded[1]() as session:  # the claim runs out
        session.execute(update(Note).where(Note.id == pk).values(claim_expires=utcnow().replace(year=2000)))
        session.commit()
    assert cleo.decide(pk, note["items"][0]["id"], note["version"], decision="accepted").status_code == 200
    stale = cody.decide(pk, note["items"][0]["id"], note["version"], decision="accepted")
    assert stale.status_code == 409  # cody's page is older than cleo's save


def test_concurrent_saves_on_one_version_exactly_one_wins(login):
    clients = [login("cody") for _ in range(4)]
    pk = clients[0].pk("sample_04")
    note = clients[0].note(pk)
    results = []
    barrier = threading.Barrier(len(clients))

    def save(client, item):
        barrier.wait()
        results.append(client.decide(pk, item["id"], note["version"], decision="accepted").status_code)

    threads = [threading.Thread(target=save, args=(c, note["items"][i])) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409, 409, 409]
    assert clients[0].note(pk)["version"] == note["version"] + 1


def test_next_note_claims_the_oldest_unclaimed_note(login):
    cody, cleo = login("cody"), login("cleo")
    first = cody.form("/next")
    second = cleo.form("/next")
    assert first.headers["location"] != second.headers["location"]
    assert "claimed by <b>cody</b>" in cody.http.get(first.headers["location"]).text
    assert cody.form("/next").headers["location"] == first.headers["location"]  # own open note first


def test_worklist_counts_filters_and_sort(login):
    cody = login("cody")
    page = cody.http.get("/").text
    assert re.search(r"<b>8</b> new", page)
    flagged = cody.http.get("/", params={"flagged": "1"}).text
    assert "sample_06" in flagged and "sample_01" not in flagged
    by_code = cody.http.get("/", params={"code": "22207"}).text
    assert "sample_02" in by_code and "sample_05" in by_code and "sample_04" not in by_code
    by_family = cody.http.get("/", params={"family": "anterior"}).text
    assert "No note matches" in by_family
    low_first = cody.http.get("/", params={"sort": "confidence"}).text
    assert low_first.index("sample_06") < low_first.index("sample_01")
    medium = cody.http.get("/", params={"band": "medium"}).text
    assert "sample_06" in medium and "sample_02" not in medium
    assert cody.http.get("/notes/999999").status_code == 404


def test_coders_cannot_reach_admin_pages(login):
    cody, ada = login("cody"), login("ada")
    for url in ("/stats", "/users", "/export?format=csv"):
        assert cody.http.get(url).status_code == 403
        assert ada.http.get(url).status_code == 200
    assert cody.form("/users", username="mallory", password="long enough pw", role="admin").status_code == 403


def test_admin_adds_a_user_who_can_log_in(login, app):
    ada = login("ada")
    assert ada.form("/users", username="dora", password="short", role="coder").status_code == 400
    assert ada.form("/users", username="dora", password="correct horse battery", role="coder").status_code == 303
    assert "dora" in ada.http.get("/users").text
    assert login("dora").http.get("/").status_code == 200


def test_history_is_shown_and_cannot_be_rewritten(login, loaded):
    cody = login("cody")
    pk = cody.pk("sample_02")
    note = cody.note(pk)
    cody.decide(pk, note["items"][0]["id"], note["version"], decision="rejected", reason="query_surgeon")
    history = cody.note(pk)["html"].split('class="history')[1]
    assert "cody" in history and "rejected" in history and "Query the surgeon" in history
    with loaded[1]() as session:
        for statement in ("UPDATE actions SET actor = 'someone else'", "DELETE FROM actions"):
            try:
                session.execute(text(statement))
                session.commit()
                raise AssertionError(f"{statement} was allowed")
            except Exception as exc:  # the trigger refuses
                session.rollback()
                assert "append-only" in str(exc)

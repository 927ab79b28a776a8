"""The dashboard: server-rendered pages (Jinja2) in English and Arabic.

Pages read through the same store methods and clearance as the API. Every form POST carries a
CSRF token; every write is a ledger entry naming the account.

Every handler is a plain ``def`` (FastAPI runs it in the thread pool): the database and argon2
must never run on the event loop. Form posts get their fields from :func:`form_fields`, the
only ``async`` part, which reads the body.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from marsad.contract.claim import EVENT_TYPES, FACILITY_TYPES, SENSITIVITY_LEVELS, WEAPONS
from marsad.contract.incident import IncidentView
from marsad.protect.disclosure import REVIEWED_STATES, first_span, text_sha256
from marsad.protect.links import safe_link
from marsad.publish import labels
from marsad.store.accounts import TOKEN_DAYS
from marsad.store.reads import DocumentRecord
from marsad.store.review import GRADES, correctable_fields
from marsad.web import charts, localize
from marsad.web.access import forget_tokens, has_account, is_admin, may_read, may_review, store_of
from marsad.web.auth import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    Reader,
    audit_reads,
    check_csrf,
    client_address,
    identify,
    new_login_csrf,
    same_secret,
    throttle_of,
    too_many,
)
from marsad.web.params import (
    MAX_PARAM_CHARS,
    BadInput,
    decode_incident_cursor,
    encode_cursor,
    filter_query,
    has_nul,
    parse_filter,
    parse_id,
)

HERE = Path(__file__).parent
LANGS = ("en", "ar")
LANG_COOKIE = "marsad_lang"
templates = Jinja2Templates(directory=str(HERE / "templates"))
# every URL a page links to passes the one link rule (http/https only)
templates.env.filters["safe_link"] = safe_link
router = APIRouter(include_in_schema=False)
# claim fields whose evidence spans are highlighted as values inside the passage
_VALUE_LISTS = (
    "places",
    "perpetrators",
    "targets",
    "weapons",
    "counts",
    "facilities",
    "reported_by",
)
# above this many matching incidents, counts by perpetrator (read from each record) are skipped
_JSON_COUNT_LIMIT = 20_000


def strings(lang: str) -> dict[str, str]:
    return labels.table(lang)


def language(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "en"
    return asked if asked in LANGS else "en"


def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    """The page ``name`` with ``ctx``. Every value a handler passes is shown through the
    reader's disclosure first (protected names masked), so no template can show one."""
    lang = language(request)
    text = strings(lang)
    reader = getattr(request.state, "reader", None)
    clearance = reader.max_sensitivity if isinstance(reader, Reader) else "public"
    show: Callable[[Any], Any] = _unchanged
    if clearance != "restricted":
        show = store_of(request).disclosure(clearance).show
        ctx = {key: show(value) for key, value in ctx.items()}
    base = {
        **localize.helpers(lang, show),
        "request": request,
        "lang": lang,
        "dir": "rtl" if lang == "ar" else "ltr",
        "t": lambda key: text.get(key, strings("en").get(key, key)),
        "reader": reader,
        "csrf": reader.csrf_token if isinstance(reader, Reader) else "",
        "csrf_field": CSRF_FIELD,
        "other_lang": "en" if lang == "ar" else "ar",
        "path": request.url.path,
        "reviewed_states": REVIEWED_STATES,
    }
    response = templates.TemplateResponse(request, name, {**base, **ctx}, status_code=status)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response


def _unchanged(value: Any) -> Any:
    return value


def error_page(request: Request, status: int, detail: Any) -> Response:
    message = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)
    return render(request, "error.html", status=status, status_code=status, message=message)


def _safe_next(target: str | None) -> str:
    # only paths on this site: no scheme, no host, no protocol-relative '//'
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form's text fields (the first of each name). A NUL anywhere is a 400:
    PostgreSQL cannot store one."""
    form = await request.form()
    fields: dict[str, str] = {}
    for key, value in form.multi_items():
        if not isinstance(value, str):
            continue
        if has_nul(key, value):
            raise BadInput("the form holds a NUL character")
        fields.setdefault(key, value)
    return fields


Form = Annotated[dict[str, str], Depends(form_fields)]


# -- signing in ----------------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request, next: str = "/", failed: int = 0) -> Response:
    identify(request)
    token = new_login_csrf()
    response = render(request, "login.html", next=_safe_next(next), failed=failed, token=token)
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request)
    )
    return response


@router.post("/login")
def login(request: Request, form: Form) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not same_secret(form.get(CSRF_FIELD, ""), cookie):
        raise HTTPException(403, "the sign-in form expired; reload it and try again")
    username, password = form.get("username", "")[:120], form.get("password", "")[:1000]
    target = _safe_next(form.get("next", "/"))
    if not username or not password:
        return RedirectResponse(f"/login?failed=1&next={quote(target, safe='')}", status_code=303)
    store, throttle, client = store_of(request), throttle_of(request), client_address(request)
    if (wait := throttle.wait(username, client)) > 0:
        raise too_many(wait)  # no password is checked while the account or address waits
    result = store.check_password(username, password)
    if result.account is None:
        wait = throttle.failed(username, client)
        store.record_failed_login(username, client=client, reason=result.reason, blocked_for=wait)
        return RedirectResponse(f"/login?failed=1&next={quote(target, safe='')}", status_code=303)
    throttle.succeeded(username)
    account = result.account
    token = store.open_session(account, client=client)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        max_age=12 * 3600,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, form: Form) -> Response:
    reader = identify(request)
    if reader.via == "session" and reader.session_token:
        check_csrf(request, reader, form.get(CSRF_FIELD, ""))
        store_of(request).close_session(reader.session_token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# -- incidents -----------------------------------------------------------------------------


def _filter_options() -> dict[str, Any]:
    return {
        "event_types": EVENT_TYPES,
        "weapons": WEAPONS,
        "facility_types": FACILITY_TYPES,
        "grades": GRADES,
        "governorates": charts.governorates(),
    }


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request) -> Response:
    reader = may_read(request, identify(request))
    lang = language(request)
    params = request.query_params
    f = parse_filter(params, reader.max_sensitivity)
    store = store_of(request)
    views, nxt = store.incident_page(
        f, after=decode_incident_cursor(params.get("cursor")), limit=50
    )
    # the API's data function (GET /api/aggregates): totals and the groupings in one call
    totals, counts = store.counts_and_totals(f, ["area", "type", "day"])
    by_area, by_type = counts["area"], counts["type"]
    by_perp = (
        store.incident_counts(f, "perpetrator") if totals["incidents"] <= _JSON_COUNT_LIMIT else []
    )
    audit_reads(request, reader, "incidents", (v.sensitivity for v in views))
    search = (params.get("search") or "")[:MAX_PARAM_CHARS]
    hits = store.search(search, reader.max_sensitivity) if search and not has_nul(search) else []
    audit_reads(request, reader, "search", (h.sensitivity for h in hits))
    query = filter_query(params)
    next_link = f"/?{query}&{urlencode({'cursor': encode_cursor(nxt)})}" if nxt else None
    return render(
        request,
        "dashboard.html",
        incidents=views,
        totals=totals,
        by_area=by_area,
        by_type=by_type,
        by_perp=by_perp[:10],
        map_svg=Markup(
            charts.incident_map(
                by_area, views, lang=lang, place_of=lambda v: labels.place_name(v, lang)
            )
        ),
        timeline_svg=Markup(charts.timeline(counts["day"])),
        filters=f,
        params=params,
        query=query,
        next_link=next_link,
        paged=bool(params.get("cursor")),
        search=store.disclosure(reader.max_sensitivity)(search),  # typed names masked too
        hits=hits,
        **_filter_options(),
    )


def _claim_spans(data: dict[str, Any]) -> tuple[tuple[int, int] | None, list[tuple[int, int]]]:
    """The claim's passage and the spans of the values read from it."""
    ev = data.get("evidence") or {}
    passage = (int(ev["start"]), int(ev["end"])) if "start" in ev and "end" in ev else None
    values: list[tuple[int, int]] = []
    for key in _VALUE_LISTS:
        for item in data.get(key) or []:
            span = item.get("evidence") if isinstance(item, dict) else None
            if span and "start" in span:
                values.append((int(span["start"]), int(span["end"])))
    for key in ("date_evidence", "event_type_evidence"):
        span = data.get(key)
        if span and "start" in span:
            values.append((int(span["start"]), int(span["end"])))
    return passage, values


def _source_evidence(store: Any, view: IncidentView, clearance: str) -> list[dict[str, Any]]:
    """Each source with its passage highlighted in the document text (when the document is
    stored and visible), else the stored excerpt."""
    docs: dict[str, DocumentRecord | None] = {}
    out = []
    for s in view.sources:
        html = None
        if s.document_id:
            if s.document_id not in docs:
                docs[s.document_id] = store.visible_document(s.document_id, clearance)
            doc = docs[s.document_id]
            claim = next((c for c in doc.claims if c["id"] == s.claim_id), None) if doc else None
            if doc and claim:
                passage, values = _claim_spans(claim["data"])
                if passage:
                    html = Markup(charts.highlight(doc.text, [passage], values, window=240))
        out.append({"source": s, "html": html})
    return out


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, incident_id: str) -> Response:
    reader = may_read(request, identify(request))
    iid = parse_id(incident_id, "an incident")
    store = store_of(request)
    view = store.visible_incident(iid, reader.max_sensitivity)
    if view is None:
        raise HTTPException(404, "no such incident")
    audit_reads(request, reader, "incident", [view.sensitivity], subject=str(iid))
    first = ("killed", "injured")
    figures = sorted(
        view.figures.items(), key=lambda kv: (first.index(kv[0]) if kv[0] in first else 2, kv[0])
    )
    return render(
        request,
        "incident.html",
        incident=view,
        figures=figures,
        sources=_source_evidence(store, view, reader.max_sensitivity),
        corrections=store.corrections_for(iid) if reader.can_review else [],
        history=store.history("incident", str(iid)) if reader.can_review else [],
        claim_ids=store.incident_claim_ids(iid) if reader.can_review else [],
        fields=correctable_fields(view),
        approved=_approved_texts(store, view) if reader.can_review else set(),
        levels=SENSITIVITY_LEVELS,
        saved=request.query_params.get("saved"),
        error=request.query_params.get("error", "")[:300],
    )


def _approved_texts(store: Any, view: IncidentView) -> set[str]:
    texts = [t for s in view.sources for t in (s.title, s.excerpt) if t]
    approved = store.approved_hashes(text_sha256(t) for t in texts)
    return {t for t in texts if text_sha256(t) in approved}


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(request: Request, document_id: str) -> Response:
    reader = may_read(request, identify(request))
    if len(document_id) > 64:
        raise BadInput("a document id is at most 64 hexadecimal characters")
    doc = store_of(request).visible_document(document_id.lower(), reader.max_sensitivity)
    if doc is None:
        raise HTTPException(404, "no such document")
    audit_reads(request, reader, "document", [doc.sensitivity], subject=doc.id)
    passages: list[tuple[int, int]] = []
    values: list[tuple[int, int]] = []
    for c in doc.claims:
        passage, vals = _claim_spans(c["data"])
        if passage:
            passages.append(passage)
        values += vals
    return render(
        request,
        "document.html",
        doc=doc,
        text_html=Markup(charts.highlight(doc.text, passages, values)),
        saved=request.query_params.get("saved"),
        error=request.query_params.get("error", "")[:300],
    )


# -- review --------------------------------------------------------------------------------


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request) -> Response:
    reader = may_review(identify(request))
    items = store_of(request).review_queue(max_sensitivity=reader.max_sensitivity, limit=100)
    audit_reads(request, reader, "review_queue", (i.incident.sensitivity for i in items))
    return render(request, "review.html", items=items)


def _review_form(
    request: Request, incident_id: str, form: dict[str, str]
) -> tuple[Reader, int, dict[str, str]]:
    reader = may_review(identify(request))
    check_csrf(request, reader, form.get(CSRF_FIELD, ""))
    iid = parse_id(incident_id, "an incident")
    if store_of(request).visible_incident(iid, reader.max_sensitivity) is None:
        raise HTTPException(404, "no such incident")
    return reader, iid, {k: v[:2000] for k, v in form.items()}


def _back(iid: int, error: str | None = None) -> RedirectResponse:
    query = urlencode({"error": error}) if error else "saved=1"
    return RedirectResponse(f"/incidents/{iid}?{query}", status_code=303)


def _ids(text: str) -> list[int]:
    out = []
    for part in text.replace(" ", "").split(","):
        if part:
            out.append(parse_id(part, "an"))
    return out


@router.post("/incidents/{incident_id}/confirm")
def confirm_action(request: Request, incident_id: str, form: Form) -> Response:
    reader, iid, form = _review_form(request, incident_id, form)
    store_of(request).confirm_incident(iid, actor=reader.name, note=form.get("note", ""))
    return _back(iid)


@router.post("/incidents/{incident_id}/correct")
def correct_action(request: Request, incident_id: str, form: Form) -> Response:
    reader, iid, form = _review_form(request, incident_id, form)
    try:
        store_of(request).correct_incident(
            iid,
            form.get("field", ""),
            form.get("value", ""),
            actor=reader.name,
            reason=form.get("reason", ""),
        )
    except ValueError as exc:
        return _back(iid, str(exc))
    return _back(iid)


@router.post("/incidents/{incident_id}/sensitivity")
def sensitivity_action(request: Request, incident_id: str, form: Form) -> Response:
    reader, iid, form = _review_form(request, incident_id, form)
    try:
        store_of(request).set_incident_sensitivity(
            iid, form.get("level", ""), actor=reader.name, reason=form.get("reason", "")
        )
    except ValueError as exc:
        return _back(iid, str(exc))
    return _back(iid)


@router.post("/incidents/{incident_id}/merge")
def merge_action(request: Request, incident_id: str, form: Form) -> Response:
    reader, iid, form = _review_form(request, incident_id, form)
    store = store_of(request)
    try:
        others = _ids(form.get("incidents", ""))
        for other in others:
            if store.visible_incident(other, reader.max_sensitivity) is None:
                raise ValueError(f"no such incident {other}")
        store.record_merge([iid, *others], actor=reader.name, reason=form.get("reason", ""))
    except ValueError as exc:
        return _back(iid, str(exc))
    return _back(iid)


@router.post("/incidents/{incident_id}/split")
def split_action(request: Request, incident_id: str, form: Form) -> Response:
    reader, iid, form = _review_form(request, incident_id, form)
    try:
        groups = [_ids(g) for g in form.get("groups", "").split(";") if g.strip()]
        store_of(request).record_split(
            iid, groups, actor=reader.name, reason=form.get("reason", "")
        )
    except ValueError as exc:
        return _back(iid, str(exc))
    return _back(iid)


@router.post("/incidents/{incident_id}/approve")
def approve_action(request: Request, incident_id: str, form: Form) -> Response:
    """Approve one source's title or excerpt, word for word, for public outputs."""
    reader, iid, form = _review_form(request, incident_id, form)
    try:
        store_of(request).approve_text(
            form.get("text", ""), field=form.get("field", "text"), actor=reader.name
        )
    except ValueError as exc:
        return _back(iid, str(exc))
    return _back(iid)


@router.post("/documents/{document_id}/persons")
def protect_person_action(request: Request, document_id: str, form: Form) -> Response:
    """Mark a name in this document as a protected person (with other forms of the name)."""
    reader = may_review(identify(request))
    check_csrf(request, reader, form.get(CSRF_FIELD, ""))
    store = store_of(request)
    doc = store.visible_document(document_id.lower()[:64], reader.max_sensitivity)
    if doc is None:
        raise HTTPException(404, "no such document")
    name = form.get("name", "")[:300]
    aliases = [a for a in form.get("aliases", "")[:2000].split(",") if a.strip()]
    target = f"/documents/{doc.id}"
    try:
        store.add_protected_person(
            name,
            aliases=aliases,
            role=form.get("role", "unknown")[:40],
            actor=reader.name,
            document_id=doc.id,
            span=first_span(doc.text, name),
        )
    except (ValueError, KeyError) as exc:
        return RedirectResponse(f"{target}?{urlencode({'error': str(exc)})}", status_code=303)
    return RedirectResponse(f"{target}?saved=1", status_code=303)


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request) -> Response:
    """The alerts raised by the rules in force (docs/alerts.md), newest first."""
    from marsad.alerts.payload import shown_alert
    from marsad.store.alerts import list_alerts

    reader, store = may_review(identify(request)), store_of(request)
    found = list_alerts(store, max_sensitivity=reader.max_sensitivity, limit=200)
    audit_reads(request, reader, "alerts", (a.sensitivity for a in found))
    d = store.disclosure(reader.max_sensitivity)
    return render(
        request, "alerts.html", alerts=[shown_alert(a, reader.max_sensitivity, d) for a in found]
    )


# -- brief ---------------------------------------------------------------------------------


@router.get("/brief", response_class=HTMLResponse)
def brief_page(request: Request) -> Response:
    """Publishable figures for the current filters, each traceable to its incidents."""
    reader = may_read(request, identify(request))
    params = request.query_params
    f = parse_filter(params, reader.max_sensitivity)
    store = store_of(request)
    totals = store.incident_totals(f)
    big = totals["incidents"] > _JSON_COUNT_LIMIT
    return render(
        request,
        "brief.html",
        filters=f,
        totals=totals,
        by_type=store.incident_counts(f, "type"),
        by_area=store.incident_counts(f, "area"),
        by_facility=[] if big else store.incident_counts(f, "facility"),
        by_perp=[] if big else store.incident_counts(f, "perpetrator"),
        reported=store.reported_totals(f)[:50],
        query=filter_query(params),
        **_filter_options(),
    )


# -- account -------------------------------------------------------------------------------


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request) -> Response:
    reader = has_account(identify(request))
    return render(
        request,
        "account.html",
        tokens=store_of(request).tokens(reader.name),
        new_token=None,
    )


def _token_days(text: str) -> int:
    if not text.strip():
        return TOKEN_DAYS
    if not text.strip().isdigit() or len(text.strip()) > 5:
        raise BadInput("'expires' is a number of days", text[:20])
    return int(text)


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token_action(request: Request, form: Form) -> Response:
    reader = has_account(identify(request))
    check_csrf(request, reader, form.get(CSRF_FIELD, ""))
    label = form.get("label", "api").strip()[:120] or "api"
    days = _token_days(form.get("expires", ""))
    try:
        token = store_of(request).create_token(
            reader.name, label=label, actor=reader.name, days=days
        )
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    return render(
        request, "account.html", tokens=store_of(request).tokens(reader.name), new_token=token
    )


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token_action(request: Request, token_id: str, form: Form) -> Response:
    reader = has_account(identify(request))
    check_csrf(request, reader, form.get(CSRF_FIELD, ""))
    tid = parse_id(token_id, "a token")
    store = store_of(request)
    if tid not in {t.id for t in store.tokens(reader.name)}:
        raise HTTPException(404, "no such token")
    store.revoke_token(actor=reader.name, token_id=tid)
    forget_tokens(request)
    return RedirectResponse("/account", status_code=303)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request) -> Response:
    is_admin(identify(request))
    return render(request, "users.html", users=store_of(request).users())

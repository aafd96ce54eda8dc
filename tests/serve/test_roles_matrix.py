"""Deny by default: walk the app's route table; every route but /health needs a credential and the right role."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from serve_helpers import bearer, role_keys
from privtune.serve.roles import PUBLIC, Role, policy_of

# The intended policy, written out: a route added without updating this table fails the test.
EXPECTED = {
    ("GET", "/health"): {PUBLIC},
    ("GET", "/openapi.json"): {"user", "auditor", "admin"},
    ("GET", "/info"): {"user", "auditor"},
    ("GET", "/v1/models"): {"user"},
    ("GET", "/v1/models/{model_id:path}"): {"user"},
    ("POST", "/v1/chat/completions"): {"user"},
    ("POST", "/v1/completions"): {"user"},
    ("GET", "/metrics"): {"auditor"},
    ("GET", "/v1/audit/log"): {"auditor"},
    ("POST", "/v1/watermark/detect"): {"auditor"},
    ("GET", "/admin/keys"): {"admin"},
    ("POST", "/admin/keys"): {"admin"},
    ("POST", "/admin/keys/{key_id}/revoke"): {"admin"},
    ("POST", "/admin/keys/{key_id}/rotate"): {"admin"},
    ("POST", "/admin/tokens/revoke"): {"admin"},
}


def _routes(app):
    for route in app.routes:
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            if method != "HEAD":
                yield method, route


def test_every_route_is_in_the_policy_table(make_gateway):
    gw = make_gateway()
    found = {(m, r.path): {p.value if isinstance(p, Role) else p for p in policy_of(r.endpoint)}
             for m, r in _routes(gw.app)}
    assert found == EXPECTED


def test_role_by_route_matrix(make_gateway):
    gw = make_gateway()
    keys = role_keys(gw)
    victim = gw.store.create("victim", Role.user)[0].key_id
    credentials = {"none": None, "malformed": "ptk_zz", **keys}
    with TestClient(gw.app) as c:
        for method, route in _routes(gw.app):
            path = re.sub(r"\{key_id\}", victim, route.path)
            allowed = EXPECTED[(method, route.path)]
            for who, cred in credentials.items():
                # an empty JSON object: allowed callers get a validation error, not a side effect
                r = c.request(method, path, headers=bearer(cred) if cred else {},
                              json={} if method == "POST" else None)
                cell = f"{who} {method} {route.path} -> {r.status_code}"
                if PUBLIC in allowed:
                    assert r.status_code == 200, cell
                elif who in ("none", "malformed"):
                    assert r.status_code == 401, cell
                    assert r.json()["error"]["type"] == "authentication_error", cell
                elif who in allowed:
                    assert r.status_code not in (401, 403), cell
                else:
                    assert r.status_code == 403, cell
                    assert r.json()["error"]["type"] == "permission_error", cell


def test_undeclared_route_is_denied_to_every_role(make_gateway):
    gw = make_gateway()
    keys = role_keys(gw)
    gw.app.add_api_route("/forgotten", lambda: {"oops": True}, methods=["GET"])
    with TestClient(gw.app) as c:
        assert c.get("/forgotten").status_code == 401
        for key in keys.values():
            assert c.get("/forgotten", headers=bearer(key)).status_code == 403


@pytest.mark.parametrize("path", ["/nope", "/admin/keys/", "/v1", "/docs"])
def test_unknown_paths_need_a_credential_too(make_gateway, path):
    gw = make_gateway()
    with TestClient(gw.app) as c:
        assert c.get(path).status_code == 401
        assert c.get(path, headers=bearer(role_keys(gw)["admin"])).status_code in (403, 404)

"""The bridge classifies failures as the app does: its table (``errors.error_class``) against
``docs/error-kinds.json``, the written form of the app's one classification (errors.ts
``errorKind``; test/core/error-kinds.test.ts keeps that file equal to the code)."""

import json

from conftest import REPO
from openeo_auth_tray import errors

KINDS = json.loads((REPO / "docs" / "error-kinds.json").read_text())["codes"]

#: The exception for each kind of failure.
BY_KIND = {
    "needs-sign-in": errors.LoginRequired,
    "keychain": errors.KeychainUnavailable,
    "unreachable": errors.Unreachable,
    "busy": errors.Unreachable,
    "usage": errors.AuthTrayError,
    "cancelled": errors.AuthTrayError,
    "other": errors.AuthTrayError,
}
#: Codes for which the bridge says more than the kind does (still within it).
REFINED = {
    "IDENTITY_NOT_FOUND": errors.IdentityNotFound,
    "IDENTITY_AMBIGUOUS": errors.IdentityNotFound,
    "IDENTITY_BACKEND_MISMATCH": errors.IdentityNotFound,
    "SCRIPT_ACCESS_DENIED": errors.ScriptAccessDenied,
    "AGENT_UNAVAILABLE": errors.NoTokenSource,
}


def test_every_code_of_the_app_has_the_exception_of_its_kind():
    assert len(KINDS) > 30
    for code, entry in KINDS.items():
        expected = REFINED.get(code, BY_KIND[entry["kind"]])
        assert errors.error_class(code, entry["exit_code"]) is expected, code
        # A refinement never leaves the kind's class (an unreachable failure stays a ConnectionError).
        assert issubclass(expected, BY_KIND[entry["kind"]]), code


def test_an_unknown_code_falls_back_to_the_exit_code():
    for exit_code, cls in ((3, errors.LoginRequired), (4, errors.KeychainUnavailable), (5, errors.Unreachable), (1, errors.AuthTrayError)):
        assert errors.error_class("A_CODE_OF_A_NEWER_VERSION", exit_code) is cls


def test_the_bridge_refines_no_code_the_app_does_not_know():
    assert set(REFINED) <= set(KINDS)
    assert set(errors._BY_CODE) <= set(KINDS), "a code in the bridge's table that the app never sends"

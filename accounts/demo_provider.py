"""A local OpenID Connect provider for the demo and the tests: oidc-provider-mock (authlib),
behind a guard that requires PKCE (S256) and checks the code verifier, as SURFconext and eduID
do. Nothing here is used in production.

    python -m accounts.demo_provider serve --name SURFconext   # prints its issuer URL
    python -m accounts.demo_provider run -- manage.py runserver  # both providers + the portal
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import io
import json
import os
import subprocess
import sys
import threading
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

TEMPLATES = Path(__file__).parent / "demo_provider_templates"

# The identities the demo providers offer (subject → claims). The demo data matches them.
SURFCONEXT_IDENTITIES = {
    "admin@hogeschool.example": {
        "name": "Inge Instelling",
        "given_name": "Inge",
        "family_name": "Instelling",
        "email": "admin@hogeschool.example",
        "email_verified": True,
        "eduperson_principal_name": "admin@hogeschool.example",
        "schac_home_organization": "hogeschool.example",
        "eduperson_affiliation": ["employee"],
    },
    "j.devries@hogeschool.example": {
        "name": "Jan de Vries",
        "given_name": "Jan",
        "family_name": "de Vries",
        "email": "j.devries@hogeschool.example",
        "email_verified": True,
        "eduperson_principal_name": "j.devries@hogeschool.example",
        "schac_home_organization": "hogeschool.example",
        "eduperson_affiliation": ["employee"],
    },
    "k.bakker@universiteit.example": {
        "name": "Kees Bakker",
        "given_name": "Kees",
        "family_name": "Bakker",
        "email": "k.bakker@universiteit.example",
        "email_verified": True,
        "eduperson_principal_name": "k.bakker@universiteit.example",
        "schac_home_organization": "universiteit.example",
        "eduperson_affiliation": ["employee"],
    },
    "p.jansen@elders.example": {
        "name": "Pim Jansen",
        "given_name": "Pim",
        "family_name": "Jansen",
        "email": "p.jansen@elders.example",
        "email_verified": True,
        "eduperson_principal_name": "p.jansen@elders.example",
        "schac_home_organization": "elders.example",
        "eduperson_affiliation": ["employee"],
    },
}
EDUID_IDENTITIES = {
    "eduid-sanne-visser": {
        "name": "Sanne Visser",
        "given_name": "Sanne",
        "family_name": "Visser",
        "email": "sanne.visser@eduid.example",
        "email_verified": True,
        "eduperson_principal_name": ["s.visser@hogeschool.example"],
        "schac_home_organization": ["hogeschool.example"],
    },
    "eduid-student1-hbo": {
        "name": "Student1 HBO",
        "given_name": "Student1",
        "family_name": "HBO",
        "email": "student1@hogeschool.example",
        "email_verified": True,
        "eduperson_principal_name": ["student1@hogeschool.example"],
        "schac_home_organization": ["hogeschool.example"],
    },
    "eduid-student2-unverified": {
        "name": "Student2 HBO",
        "given_name": "Student2",
        "family_name": "HBO",
        "email": "student2@hogeschool.example",
        "email_verified": False,
    },
}
# What each demo identity shows, for the list printed at start.
DESCRIPTIONS = {
    "admin@hogeschool.example": "institution admin of the hbo demo; no second factor asked",
    "j.devries@hogeschool.example": "a teacher invited by eppn: awarder from the first sign-in",
    "k.bakker@universiteit.example": 'staff without a role: "ask your admin for access"',
    "p.jansen@elders.example": "staff of an institution that is not connected",
    "eduid-sanne-visser": "a student without an account: the offer to her eppn waits",
    "eduid-student1-hbo": "student1@hogeschool.example: an offer from another school waits",
    "eduid-student2-unverified": "address not verified: connected after the mailbox is proven",
}
DEMO_PROVIDERS = {
    "SURFCONEXT": ("SURFconext", SURFCONEXT_IDENTITIES),
    "EDUID": ("eduID", EDUID_IDENTITIES),
}
DEMO_CLIENT_SECRET = "edubadges-demo-secret"  # noqa: S105 - a local demo provider's


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _oauth_error(start_response, error: str, description: str):
    body = json.dumps({"error": error, "error_description": description}).encode()
    start_response(
        "400 Bad Request",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]


class PkceRequired:
    """WSGI guard: an authorization request must carry an S256 code challenge, and the code it
    yields is exchanged only with the matching verifier (RFC 7636)."""

    def __init__(self, app):
        self.app = app
        self.challenges: dict[str, str] = {}
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/oauth2/authorize":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            challenge = query.get("code_challenge", [""])[0]
            if not challenge or query.get("code_challenge_method", [""])[0] != "S256":
                return _oauth_error(start_response, "invalid_request", "PKCE (S256) is required")

            def remember_code(status, headers, exc_info=None):
                for name, value in headers:
                    if name.lower() == "location":
                        code = parse_qs(urlsplit(value).query).get("code", [""])[0]
                        if code:
                            with self.lock:
                                self.challenges[code] = challenge
                return start_response(status, headers, exc_info)

            return self.app(environ, remember_code)
        if path == "/oauth2/token" and environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length)
            form = parse_qs(body.decode("utf-8", "replace"))
            if form.get("grant_type", [""])[0] == "authorization_code":
                with self.lock:
                    challenge = self.challenges.pop(form.get("code", [""])[0], None)
                verifier = form.get("code_verifier", [""])[0]
                if challenge is None or not verifier or _s256(verifier) != challenge:
                    return _oauth_error(start_response, "invalid_grant", "PKCE verification failed")
            environ["wsgi.input"] = io.BytesIO(body)
        return self.app(environ, start_response)


def build_app(name: str, identities: dict[str, dict]):
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # loopback only
    import jinja2
    from authlib.deprecate import AuthlibDeprecationWarning

    with warnings.catch_warnings():
        # The package imports parts of authlib that authlib has deprecated: nothing to act on
        # here, and noise on the console of `make run`.
        warnings.simplefilter("ignore", AuthlibDeprecationWarning)
        import oidc_provider_mock

    app = oidc_provider_mock.app(
        user_claims=[
            oidc_provider_mock.User(sub=sub, claims=claims) for sub, claims in identities.items()
        ]
    )
    # Pages without anything from elsewhere (the package's load a stylesheet from a CDN).
    app.jinja_loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(TEMPLATES), app.jinja_loader])
    app.jinja_env.globals["provider_name"] = name
    app.wsgi_app = PkceRequired(app.wsgi_app)
    return app


def make_server(name: str, identities: dict[str, dict], port: int = 0):
    from werkzeug.serving import make_server as werkzeug_server

    return werkzeug_server("127.0.0.1", port, build_app(name, identities), threaded=True)


def _serve(args) -> None:
    name, identities = DEMO_PROVIDERS.get(args.name.upper(), (args.name, {}))
    server = make_server(name, identities if args.demo_identities else {}, args.port)
    if args.exit_with_parent:
        threading.Thread(target=_shut_down_at_end_of_input, args=(server,), daemon=True).start()
    print(f"http://127.0.0.1:{server.server_port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


def _shut_down_at_end_of_input(server) -> None:
    """Stop once standard input closes: the process that started this one, holding the other
    end of the pipe, has ended, even if it was killed and could not stop this one."""
    sys.stdin.read()
    server.shutdown()


def _describe(prefix: str, url: str, identities: dict[str, dict]) -> str:
    name = DEMO_PROVIDERS[prefix][0]
    lines = [f"{name} (demo provider at {url}): click one of these identities:"]
    for sub, claims in identities.items():
        eppns = claims.get("eduperson_principal_name") or ""
        if isinstance(eppns, list):
            eppns = ", ".join(eppns)
        about = DESCRIPTIONS.get(sub) or claims.get("email", "")
        lines.append(f"  {sub:30} {about}" + (f" (eppn {eppns})" if eppns and eppns != sub else ""))
    return "\n".join(lines)


def _run(args) -> int:
    """Start both demo providers, then the given command with their configuration."""
    env = dict(os.environ)
    servers = []
    descriptions = []
    for prefix, (name, identities) in DEMO_PROVIDERS.items():
        server = make_server(name, identities)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        url = f"http://127.0.0.1:{server.server_port}"
        env.setdefault(f"{prefix}_OIDC_URL", url)
        env.setdefault(f"{prefix}_CLIENT_ID", f"edubadges-{prefix.lower()}-demo")
        env.setdefault(f"{prefix}_CLIENT_SECRET", DEMO_CLIENT_SECRET)
        descriptions.append(_describe(prefix, env[f"{prefix}_OIDC_URL"], identities))
    print("\n\n".join(descriptions), flush=True)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    try:
        return subprocess.call([sys.executable, *command], env=env)  # noqa: S603
    except KeyboardInterrupt:
        return 0
    finally:
        for server in servers:
            server.shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m accounts.demo_provider")
    commands = parser.add_subparsers(dest="action", required=True)
    serve = commands.add_parser("serve", help="run one provider; prints its issuer URL")
    serve.add_argument("--name", default="SURFconext")
    serve.add_argument("--port", type=int, default=0)
    serve.add_argument("--demo-identities", action="store_true")
    serve.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="stop when standard input closes (give it a pipe from the starting process)",
    )
    run = commands.add_parser("run", help="run both demo providers and a command")
    run.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.action == "serve":
        _serve(args)
        return 0
    return _run(args)


if __name__ == "__main__":
    sys.exit(main())

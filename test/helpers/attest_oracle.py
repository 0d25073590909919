"""PEP 740 oracle for slipway's tests: pypi-attestations + sigstore (Python) against any trust root.

Run with the peers venv's python. Prints one JSON object on stdout; exit 0 on success, 1 when
signing or verification fails (the JSON then has "ok": false and "error"), 2 on usage errors.

    verify --trust-root F --attestation A --dist D --issuer ISS --repository OWNER/REPO
           --workflow FILE [--kind github|gitlab]
    verify --trust-root F --attestation A --dist D --issuer ISS --kind google --email EMAIL
    sign   --trust-root F --fulcio URL --rekor URL --token JWT DIST...

How the trust root is swapped in: pypi-attestations' `Attestation.verify` builds its verifier
with `sigstore.verify.Verifier.production()`, which would fetch Sigstore's production root over
TUF. Here `Verifier.production` (and `.staging`) are replaced, for this process only, by a
function returning `Verifier(trusted_root=TrustedRoot.from_file(F))`, so verification runs
offline against the given root and nothing else changes. For signing, a `SigningContext` is
built directly from a `FulcioClient` and a `RekorClient` on the given URLs and the same root
(the root's CT log keys check the certificate's SCT, as in production).

`--issuer` is checked against the certificate's OIDC issuer extension (1.3.6.1.4.1.57264.1.8)
beside the publisher policy (which, for GitHub, also requires
https://token.actions.githubusercontent.com).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _fail(message: str) -> int:
    print(json.dumps({"ok": False, "error": message}))
    return 1


def _use_root(path: str) -> None:
    from sigstore.models import TrustedRoot
    from sigstore.verify import Verifier

    root = TrustedRoot.from_file(path)

    def _local(*_args: object, **_kwargs: object) -> Verifier:
        return Verifier(trusted_root=root)

    Verifier.production = staticmethod(_local)  # type: ignore[method-assign, assignment]
    Verifier.staging = staticmethod(_local)  # type: ignore[method-assign, assignment]


def verify(args: argparse.Namespace) -> int:
    from cryptography import x509
    from pypi_attestations import (
        Attestation,
        AttestationError,
        Distribution,
        GitHubPublisher,
        GitLabPublisher,
        GooglePublisher,
    )
    from sigstore.errors import Error as SigstoreError

    _use_root(args.trust_root)
    try:
        attestation = Attestation.model_validate_json(Path(args.attestation).read_bytes())
    except Exception as exc:  # pydantic.ValidationError or OSError
        return _fail(f"attestation does not parse: {exc}")
    try:
        dist = Distribution.from_file(Path(args.dist))
    except (OSError, ValueError) as exc:
        return _fail(f"distribution: {exc}")
    if args.kind == "google":
        if not args.email:
            print(json.dumps({"ok": False, "error": "--kind google needs --email"}))
            return 2
        publisher = GooglePublisher(email=args.email)
    elif not args.repository or not args.workflow:
        print(json.dumps({"ok": False, "error": "--repository and --workflow are required"}))
        return 2
    elif args.kind == "gitlab":
        publisher = GitLabPublisher(repository=args.repository, workflow_filepath=args.workflow)
    else:
        publisher = GitHubPublisher(repository=args.repository, workflow=args.workflow)
    try:
        predicate_type, predicate = attestation.verify(publisher, dist)
    except (AttestationError, SigstoreError, ValueError) as exc:
        return _fail(f"{type(exc).__name__}: {exc}")
    cert = x509.load_der_x509_certificate(attestation.verification_material.certificate)
    issuer_oid = x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
    try:
        raw = cert.extensions.get_extension_for_oid(issuer_oid).value.public_bytes()
        # DER UTF8String: tag 0x0c, short or long length.
        issuer = raw[2:].decode() if raw[1] < 0x80 else raw[2 + (raw[1] & 0x7F) :].decode()
    except x509.ExtensionNotFound:
        issuer = None
    if issuer != args.issuer:
        return _fail(f"certificate issuer {issuer!r} is not {args.issuer!r}")
    print(
        json.dumps(
            {
                "ok": True,
                "predicateType": predicate_type,
                "predicate": predicate,
                "issuer": issuer,
                "claims": attestation.certificate_claims,
            }
        )
    )
    return 0


def sign(args: argparse.Namespace) -> int:
    from pypi_attestations import Attestation, AttestationError, Distribution
    from sigstore._internal.fulcio.client import FulcioClient
    from sigstore._internal.rekor.client import RekorClient
    from sigstore.errors import Error as SigstoreError
    from sigstore.models import TrustedRoot
    from sigstore.oidc import IdentityToken
    from sigstore.sign import SigningContext

    context = SigningContext(
        fulcio=FulcioClient(args.fulcio),
        rekor=RekorClient(args.rekor),
        trusted_root=TrustedRoot.from_file(args.trust_root),
    )
    written = []
    try:
        token = IdentityToken(args.token)
        with context.signer(token, cache=True) as signer:
            for path in args.dists:
                dist = Distribution.from_file(Path(path))
                attestation = Attestation.sign(signer, dist)
                out = Path(f"{path}.publish.attestation")
                out.write_text(attestation.model_dump_json())
                written.append(str(out))
    except (AttestationError, SigstoreError, ValueError, OSError) as exc:
        return _fail(f"{type(exc).__name__}: {exc}")
    print(json.dumps({"ok": True, "attestations": written}))
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="attest_oracle")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify")
    v.add_argument("--trust-root", required=True)
    v.add_argument("--attestation", required=True)
    v.add_argument("--dist", required=True)
    v.add_argument("--issuer", required=True)
    v.add_argument("--repository")
    v.add_argument("--workflow")
    v.add_argument("--email")
    v.add_argument("--kind", choices=["github", "gitlab", "google"], default="github")
    s = sub.add_parser("sign")
    s.add_argument("--trust-root", required=True)
    s.add_argument("--fulcio", required=True)
    s.add_argument("--rekor", required=True)
    s.add_argument("--token", required=True)
    s.add_argument("dists", nargs="+")
    args = parser.parse_args(argv)
    try:
        return verify(args) if args.command == "verify" else sign(args)
    except Exception as exc:  # a bad trust root or input: still one JSON answer
        return _fail(f"{type(exc).__name__}: {exc}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The 1EdTech Open Badges 3.0 API (spec section "Open Badges API") for wallets and hosts.

A student lets a registered client read their credentials and profile (and add credentials)
through OAuth 2.0 authorization code grant with PKCE. The authorization server is
django-oauth-toolkit; this package adds what the Open Badges specification profiles on top
of it: the service description document, dynamic client registration, the scopes, the
consent page and the resource endpoints under ``/ims/ob/v3p0/``.
"""

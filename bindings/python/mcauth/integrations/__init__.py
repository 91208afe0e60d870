"""Authenticated calls through the usual Python HTTP and SOAP clients, one module per stack.

Each module imports only when its library is installed (``pip install "mcauth[requests]"``,
``[httpx]``, ``[zeep]``, ``[suds]`` or ``[all]``):

- ``mcauth.integrations.requests.BearerAuth(auth)``: a ``requests`` auth.
- ``mcauth.integrations.httpx.BearerAuth(auth)``: an ``httpx.Auth``, sync and async.
- ``mcauth.integrations.zeep.client(auth, wsdl)``: a ``zeep.Client``.
- ``mcauth.integrations.suds.client(auth, wsdl)``: a ``suds.client.Client``.

All of them send the current token, and when the answer says that token was rejected (the
library's ``mc_is_token_rejected``) they invalidate exactly the token they sent and retry once.
"""

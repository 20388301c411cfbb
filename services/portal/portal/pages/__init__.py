"""The portal's pages, one router per kind of person (plus anyone's and the account's)."""

from portal.pages import account, public

__all__ = ["ROUTERS"]

ROUTERS = [public.router, account.router]

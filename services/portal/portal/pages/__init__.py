"""The portal's pages, one router per kind of person (plus anyone's and the account's)."""

from portal.pages import account, consulent, municipality, ops, organisation, partner, public, volunteer

__all__ = ["ROUTERS"]

ROUTERS = [
    public.router,
    account.router,
    volunteer.router,
    organisation.router,
    consulent.router,
    municipality.router,
    partner.router,
    ops.router,
]

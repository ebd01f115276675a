"""/apps/{app}/domains: the hostnames an app answers to (list, add, remove)."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from paas_platform.api.schemas import DomainCreate, DomainOut
from paas_platform.domain.routing import CustomDomain

router = APIRouter(tags=["domains"])


def _custom(domain: CustomDomain) -> DomainOut:
    return DomainOut(id=domain.id, hostname=domain.hostname, kind="custom",
                     created_at=domain.created_at)


@router.get("/apps/{app_name}/domains", response_model=list[DomainOut])
def list_domains(request: Request, app_name: str) -> list[DomainOut]:
    """The default `{app}.{PAAS_DOMAIN}` first, then the custom domains."""
    service = request.app.state.services.domains
    custom = [_custom(d) for d in service.list(app_name)]
    return [DomainOut(id=None, hostname=service.default(app_name), kind="default",
                      created_at=None), *custom]


@router.post("/apps/{app_name}/domains", response_model=DomainOut,
             status_code=status.HTTP_201_CREATED)
def add_domain(request: Request, app_name: str, body: DomainCreate) -> DomainOut:
    domain = request.app.state.services.domains.add(app_name, body.hostname,
                                                    request.state.caller.user)
    return _custom(domain)


@router.delete("/apps/{app_name}/domains/{hostname}", response_model=DomainOut)
def remove_domain(request: Request, app_name: str, hostname: str) -> DomainOut:
    domain = request.app.state.services.domains.remove(app_name, hostname,
                                                       request.state.caller.user)
    return _custom(domain)

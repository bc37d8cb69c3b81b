"""The sandbox's fixed credentials, as dlt environment variables (`SOURCES__<VENDOR>__<NAME>`).

Anything else is refused with the vendor's 401. Exporting these lines points every connector at
a sandbox listening on the given port.
"""

from __future__ import annotations

import logging

from sandbox.vendors import (
    assembled,
    bamboohr,
    delighted,
    genesys,
    hubspot,
    intercom,
    zendesk,
    zendesk_qa,
)

logger = logging.getLogger(__name__)


def credentials(port: int, host: str = "127.0.0.1") -> dict[str, dict[str, str]]:
    """Per vendor prefix: base URL and that vendor's credential names and values."""
    root = f"http://{host}:{port}"
    return {
        "genesys": {
            "base_url": f"{root}/genesys",
            "client_id": genesys.CLIENT_ID,
            "client_secret": genesys.CLIENT_SECRET,
        },
        "intercom": {"base_url": f"{root}/intercom", "access_token": intercom.ACCESS_TOKEN},
        "zendesk": {
            "base_url": f"{root}/zendesk",
            "subdomain": zendesk.SUBDOMAIN,
            "email": zendesk.EMAIL,
            "api_token": zendesk.API_TOKEN,
        },
        "delighted": {"base_url": f"{root}/delighted", "api_key": delighted.API_KEY},
        "hubspot": {"base_url": f"{root}/hubspot", "access_token": hubspot.ACCESS_TOKEN},
        "bamboohr": {
            "base_url": f"{root}/bamboohr",
            "company_domain": bamboohr.COMPANY_DOMAIN,
            "api_key": bamboohr.API_KEY,
        },
        "assembled": {"base_url": f"{root}/assembled", "api_key": assembled.API_KEY},
        "zendesk-qa": {"base_url": f"{root}/zendesk-qa", "api_token": zendesk_qa.API_TOKEN},
    }


def env_lines(port: int, host: str = "127.0.0.1") -> list[str]:
    """`NAME=value` lines in dlt's naming: SOURCES__ZENDESK_QA__API_TOKEN=..."""
    lines: list[str] = []
    for vendor, values in credentials(port, host).items():
        section = vendor.replace("-", "_").upper()
        lines.extend(
            f"SOURCES__{section}__{name.upper()}={value}" for name, value in values.items()
        )
    return lines

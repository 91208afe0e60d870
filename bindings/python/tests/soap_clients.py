"""One SOAP client per SOAP library, each built by that library's own mcauth integration, behind
the same operations, so that a scenario every SOAP integration must pass is written once.

Answers are the library's own objects (both read as answer.OverallStatus, answer.Results);
a fault, whether the library raises it or (suds with faults=False) returns it, is raised as
SoapFault.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Tuple

import suds
import suds.client
import zeep

import mcauth
import mcauth.integrations.suds
import mcauth.integrations.zeep


class SoapFault(Exception):
    """A SOAP fault the library handed back, by its faultstring."""


class ZeepClient:
    """A zeep.Client from mcauth.integrations.zeep.client; `kwargs` go to it."""

    def __init__(self, auth: mcauth.MarketingCloudAuth, wsdl: str, **kwargs: Any) -> None:
        self.native = mcauth.integrations.zeep.client(auth, wsdl, **kwargs)
        self.native_type = zeep.Client

    def retrieve(self) -> Any:
        try:
            return self.native.service.Retrieve(
                RetrieveRequest={"ObjectType": "Subscriber", "Properties": ["Name"]})
        except zeep.exceptions.Fault as fault:
            raise SoapFault(fault.message) from fault

    def create(self, objects: List[Tuple[str, str]]) -> Any:
        """Creates an APIObject per (CustomerKey, Name)."""
        return self.native.service.Create(Objects=[{"CustomerKey": key, "Name": name}
                                                   for key, name in objects])


class SudsClient:
    """A suds.client.Client from mcauth.integrations.suds.client, with `faults` as asked:
    the integration retries on a fault raised (True, suds' default) and on one returned."""

    def __init__(self, auth: mcauth.MarketingCloudAuth, wsdl: str, *, faults: bool) -> None:
        self.native = mcauth.integrations.suds.client(auth, wsdl, faults=faults, cache=None)
        self.native_type = suds.client.Client

    def retrieve(self) -> Any:
        request = self.native.factory.create("RetrieveRequest")
        request.ObjectType = "Subscriber"
        request.Properties = ["Name"]
        return self._answer(self.native.service.Retrieve, request)

    def create(self, objects: List[Tuple[str, str]]) -> Any:
        """Creates an APIObject per (CustomerKey, Name)."""
        items = []
        for key, name in objects:
            item = self.native.factory.create("APIObject")
            item.CustomerKey, item.Name = key, name
            items.append(item)
        return self._answer(self.native.service.Create, items)

    def _answer(self, operation: Callable[..., Any], *args: Any) -> Any:
        try:
            answer = operation(*args)
        except suds.WebFault as fault:
            raise SoapFault(fault.fault.faultstring) from fault
        if self.native.options.faults:
            return answer
        status, result = answer  # faults=False: (HTTP status, result or fault)
        if status == 200:
            return result
        assert status == 500, result  # how suds hands back a fault
        raise SoapFault(result.faultstring)


# The clients the shared scenarios run on.
LIBRARIES: Dict[str, Callable[[mcauth.MarketingCloudAuth, str], Any]] = {
    "zeep": ZeepClient,
    "suds-faults": lambda auth, wsdl: SudsClient(auth, wsdl, faults=True),
    "suds-no-faults": lambda auth, wsdl: SudsClient(auth, wsdl, faults=False),
}

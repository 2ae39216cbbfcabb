"""One page of a list of cases, with the number of them."""
from __future__ import annotations

from dataclasses import dataclass

from ..models import Case


@dataclass
class Page:
    items: list[Case]
    total: int
    page: int
    per_page: int
    total_exact: bool = True  # False: there are more than ``total`` (a text search counts up to a limit)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

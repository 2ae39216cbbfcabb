"""Information processing fees under 国办函〔2020〕109号: per piece or per volume, never both, each
computed progressively on the excess (law.md §1.6)."""
from __future__ import annotations

from dataclasses import dataclass

PER_PIECE, PER_VOLUME = "per_piece", "per_volume"


@dataclass(frozen=True)
class Band:
    first: int
    last: int | None  # None: open-ended
    rate: int  # yuan per unit

    def label(self, unit: str) -> str:
        span = f"第{self.first}{unit}及以上" if self.last is None else f"第{self.first}至{self.last}{unit}"
        return f"{span}：{'免费' if self.rate == 0 else f'{self.rate}元/{unit}'}"


@dataclass(frozen=True)
class FeeLine:
    band: Band
    units: int

    @property
    def amount(self) -> int:
        return self.band.rate * self.units


def piece_rate_band(index: int) -> Band:
    """Art. 4: up to 10 pieces a month free; 11-30 at 100 yuan; then each band of 10 pieces 100 yuan more."""
    if index <= 10:
        return Band(1, 10, 0)
    if index <= 30:
        return Band(11, 30, 100)
    step = (index - 31) // 10
    return Band(31 + 10 * step, 40 + 10 * step, 200 + 100 * step)


VOLUME_BANDS = (Band(1, 30, 0), Band(31, 100, 10), Band(101, 200, 20), Band(201, None, 40))


def volume_rate_band(page: int) -> Band:
    """Art. 5: up to 30 pages free; 31-100 at 10 yuan; 101-200 at 20 yuan; from 201 at 40 yuan."""
    return next(b for b in VOLUME_BANDS if b.last is None or page <= b.last)


def compute(basis: str, *, units: int, already_counted: int = 0) -> list[FeeLine]:
    """The fee lines for ``units`` pieces (after ``already_counted`` pieces this calendar month) or
    ``units`` pages; units that fall in the same band are grouped."""
    band_of = piece_rate_band if basis == PER_PIECE else volume_rate_band
    start = already_counted + 1 if basis == PER_PIECE else 1
    lines: list[FeeLine] = []
    for index in range(start, start + units):
        band = band_of(index)
        if lines and lines[-1].band == band:
            lines[-1] = FeeLine(band, lines[-1].units + 1)
        else:
            lines.append(FeeLine(band, 1))
    return lines


def total(lines: list[FeeLine]) -> int:
    return sum(line.amount for line in lines)

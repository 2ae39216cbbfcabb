"""PDF copies of letters, converted from the issued .docx by LibreOffice (``soffice``) when it is installed:
headless, in a temporary directory, with a user profile of its own for each call (so that parallel workers
never share one), under a time limit, many letters in one call."""
from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

TIMEOUT = 120  # seconds for one call, whatever the number of letters
_warned = False


class ConversionFailed(Exception):
    """soffice ran but did not produce a PDF for every letter (or ran out of time)."""


def converter() -> str | None:
    """The soffice executable on the PATH, or None."""
    return shutil.which("soffice")


def to_pdf(letters: list[bytes], *, timeout: float = TIMEOUT) -> list[bytes] | None:
    """Each .docx as a PDF, in the same order, from one soffice call; None when LibreOffice is not installed
    (said once, at WARNING). Raises ConversionFailed when soffice fails or takes longer than ``timeout``."""
    global _warned
    soffice = converter()
    if soffice is None:
        if not _warned:
            log.warning("LibreOffice (soffice) is not on the PATH: letters are issued without a PDF copy")
            _warned = True
        return None
    if not letters:
        return []
    with tempfile.TemporaryDirectory(prefix="letters-pdf-") as tmp:
        folder = Path(tmp)
        sources = []
        for i, content in enumerate(letters):
            sources.append(folder / f"{i}.docx")
            sources[-1].write_bytes(content)
        command = [soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--norestore",
                   "--nolockcheck", "--nodefault", "--convert-to", "pdf", "--outdir", str(folder / "pdf"),
                   *map(str, sources)]
        # A session of its own, so that a time-out ends soffice.bin as well as the script that started it.
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                                   env={**os.environ, "HOME": str(folder)})
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ConversionFailed(f"soffice took longer than {timeout} s for {len(letters)} letters") from None
        outputs = [folder / "pdf" / f"{i}.pdf" for i in range(len(letters))]
        missing = [p.name for p in outputs if not p.is_file()]
        if process.returncode != 0 or missing:
            raise ConversionFailed(f"soffice exited with {process.returncode}, no PDF for {missing}: "
                                   f"{stderr.decode(errors='replace').strip()[-500:]}")
        return [p.read_bytes() for p in outputs]

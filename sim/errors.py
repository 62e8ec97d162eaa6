"""Input errors: one clear line for the user, never a traceback.

Every mistake a user can make in a scenario or experiment file, an override
or a command-line option becomes an :class:`InputError`. The CLI prints
``str(error)`` and exits with code 2; nothing is written.
"""

from __future__ import annotations


class InputError(Exception):
    """A problem with user input.

    Attributes:
        message: what is wrong and what is allowed.
        path: the field path (``parameters.trust.memory``), if any.
        file: the file the problem is in, if known.
        line: the 1-based line in ``file``, if known.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        file: str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.file = file
        self.line = line

    def located(self, file: str | None = None, line: int | None = None) -> InputError:
        """Fill in where the error is, keeping what is already known."""
        if self.file is None:
            self.file = file
        if self.line is None:
            self.line = line
        return self

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        field = f"{self.path}: " if self.path else ""
        return f"{where}{field}{self.message}"


def describe_os_error(exc: OSError) -> str:
    """One line for a file-system refusal: which path, what is wrong, what to do."""
    where = f"'{exc.filename}'" if exc.filename else "a file"
    if isinstance(exc, PermissionError):
        return f"cannot write {where}: permission denied (a read-only folder?)"
    if isinstance(exc, IsADirectoryError):
        return f"{where} is a folder; a file was expected there"
    if isinstance(exc, FileNotFoundError):
        return f"cannot create {where}: a folder on its path does not exist and cannot be made"
    if isinstance(exc, FileExistsError):
        # Raised by mkdir(exist_ok=True) when a file stands where a folder is to be made.
        return f"{where} is a file; a folder was expected there"
    if isinstance(exc, NotADirectoryError):
        return f"{where}: a part of the path is a file, not a folder"
    return f"cannot write {where}: {exc.strerror or exc}"

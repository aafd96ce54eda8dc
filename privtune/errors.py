"""Named exceptions. The CLI turns every `PrivtuneError` into a one-paragraph message and a
non-zero exit code; anything else is a bug and keeps its traceback."""

from __future__ import annotations


class PrivtuneError(Exception):
    """Base class for errors caused by user input or environment, not by a bug."""

    exit_code: int = 2


class ConfigError(PrivtuneError):
    """A config file or flag is invalid."""


class InputError(PrivtuneError):
    """An input file cannot be read. Carries the location so the user can fix it."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
        byte_offset: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path, self.line, self.field = path, line, field
        self.byte_offset, self.hint = byte_offset, hint
        where = []
        if path is not None:
            where.append(str(path))
        if line is not None:
            where.append(f"line {line}")
        if byte_offset is not None:
            where.append(f"byte offset {byte_offset}")
        if field is not None:
            where.append(f"field {field!r}")
        text = f"{': '.join([', '.join(where)]) + ': ' if where else ''}{message}"
        if hint:
            text += f"\nhint: {hint}"
        super().__init__(text)


class GateFailed(PrivtuneError):
    """A `--fail-on` gate tripped. The outputs were still written."""

    exit_code = 3


class BudgetExceeded(PrivtuneError):
    """A run would spend more privacy budget than the dataset has left."""

    exit_code = 4


class IntegrityError(PrivtuneError):
    """An encrypted artefact failed authentication (wrong key or tampered file)."""


class LicenceBlocked(PrivtuneError):
    """The base model's licence forbids the intended use (and no override reason was given)."""

    exit_code = 5


class SignatureInvalid(PrivtuneError):
    """A signed run directory does not verify: a file changed, was added or removed, or the key differs."""

    exit_code = 7


class BomInvalid(PrivtuneError):
    """A written ML-BOM fails the CycloneDX schema or privtune's semantic lint."""

    exit_code = 8


class MechanismConflict(ConfigError):
    """A resumed run was given DP settings other than the ones it was planned and accounted with."""


class NonFiniteUpdate(PrivtuneError):
    """A DP-SGD step produced a NaN/inf update; the run stops before the update reaches the model."""


class AdapterBaseMismatch(InputError):
    """A LoRA adapter was trained on a different base model than the one it is being loaded on."""

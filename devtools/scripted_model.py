"""The scripted model is part of the SDK now: ``openai_codex.testing``. This module only re-exports
it, for the test suite's imports, until those name the package directly."""

from openai_codex.testing import *  # noqa: F403
from openai_codex.testing import __all__ as __all__

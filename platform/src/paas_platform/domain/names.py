"""App names: the validation rule and Heroku-style random names (`misty-river-4821`)."""

from __future__ import annotations

import random
import re

from paas_platform.domain.errors import InvalidParams

APP_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,28}[a-z0-9]$")

_ADJECTIVES = (
    "ancient", "autumn", "billowing", "bold", "brave", "calm", "crisp", "damp", "dawn",
    "desert", "eager", "fading", "frosty", "gentle", "glacial", "golden", "hidden", "icy",
    "lively", "misty", "morning", "nameless", "patient", "polished", "quiet", "rapid",
    "restless", "rough", "shy", "silent", "snowy", "solitary", "sparkling", "still",
    "sunny", "swift", "tranquil", "twilight", "wandering", "winter",
)
_NOUNS = (
    "bay", "beach", "bird", "brook", "butterfly", "canyon", "cliff", "cloud", "coast",
    "dawn", "dew", "dune", "falls", "field", "fire", "forest", "frog", "garden", "glade",
    "harbor", "hill", "lake", "leaf", "meadow", "moon", "mountain", "ocean", "pine",
    "plateau", "pond", "reef", "river", "sea", "shore", "sky", "spring", "star", "stream",
    "sun", "thunder", "tree", "valley", "wave", "wind", "woods",
)


def validate_app_name(name: object) -> str:
    """Return `name` if it is a valid app name, else raise InvalidParams."""
    if not isinstance(name, str) or not APP_NAME_PATTERN.fullmatch(name):
        raise InvalidParams(
            "app name must be 3-30 characters: lower-case letters, digits and dashes, "
            "starting with a letter and not ending with a dash"
        )
    return name


def random_adjective(rng: random.Random) -> str:
    """One of the words random names start with (add-on names use them too)."""
    return rng.choice(_ADJECTIVES)


def random_app_name(rng: random.Random | None = None) -> str:
    """A readable random name; callers retry on the rare collision."""
    rng = rng or random.SystemRandom()
    return f"{rng.choice(_ADJECTIVES)}-{rng.choice(_NOUNS)}-{rng.randint(1000, 9999)}"

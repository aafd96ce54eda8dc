"""USERNAME: a login name inside a home-directory path or an ssh target: "/home/jsmith42",
"C:\\Users\\dthornton\\Desktop", "/Users/anna.k/Documents", "ssh jsmith42@10.0.4.17".

Helpdesk tickets, stack traces and shell transcripts carry such paths everywhere, and the
account name in them is very often the person's name ("C:\\Users\\priya.raghunathan"). The
directory above it says what the word is, so no cue is needed; the names every machine has
("Public", "Default", "root", "admin", placeholders such as "<user>" or "$USER") are left.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.recognizers._shared import RARE_WORDS_TRIGGER
from privtune.scan.registry import Recognizer, register

SCORE = 0.8
_HOME = re.compile(
    r"(?:(?<![A-Za-z0-9_])/home|(?:[A-Za-z]:)?(?:\\\\?[Uu]sers|/Users))(?:\\\\?|/)(?P<user>[A-Za-z0-9][A-Za-z0-9._-]{1,31})"
    r"(?![A-Za-z0-9_$])"
)
_SSH = re.compile(r"(?<![A-Za-z0-9_-])ssh(?: +-[A-Za-z](?: +[^ @\s]+)?)* +(?P<user>[A-Za-z_][A-Za-z0-9._-]{1,31})@(?=[A-Za-z0-9\[])")
_NOT_A_PERSON = frozenset(
    "public default all administrator admin root user users username shared guest ubuntu ec2-user centos "
    "debian pi runner vagrant git www-data nobody system localservice networkservice defaultapppool "
    "yourname your_name yourusername your_username me myuser name you someone example test "
    "appdata desktop documents downloads".split()
)


@register
class HomeDirectoryUserRecognizer(Recognizer):
    """Login names in home-directory paths (Unix, macOS, Windows) and ``ssh user@host``."""

    name = "home_dir_user"
    entity_types = ("USERNAME",)
    # "/home/", "\\Users\\", "/Users/", "\\users\\", "ssh " among others (lower-case "/users/" is
    # left out: a web API's route, "/users/123", more often than a Mac's home).
    trigger = RARE_WORDS_TRIGGER

    def analyze(self, text: str) -> list[Span]:
        spans = []
        # The shared trigger fires on other recognizers' words too: each pattern only where its
        # own word is (both open with a look-behind, which sre cannot skip ahead on).
        home = "/home/" in text or "Users" in text or "users\\" in text
        for pattern in (_HOME,) * home + (_SSH,) * ("ssh " in text):
            for m in pattern.finditer(text):
                user = m.group("user").rstrip(".-")
                if user.lower() not in _NOT_A_PERSON and len(user) >= 2:
                    spans.append(Span(m.start("user"), m.start("user") + len(user), "USERNAME", SCORE, self.name))
        return spans

"""The one error an action raises when it cannot be done now."""


class ActionRefused(Exception):
    """An action that cannot be done now; the message is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

"""Single sign-on with an OpenID Connect provider (placeholder until the next step)."""


def reset() -> None:
    """Forget the provider client (tests)."""

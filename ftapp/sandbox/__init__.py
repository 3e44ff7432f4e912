"""The sandbox: ftapp's own local implementation of the Job Training API."""

from ftapp.sandbox.app import Sandbox, SandboxConfig, create_app

__all__ = ["Sandbox", "SandboxConfig", "create_app"]

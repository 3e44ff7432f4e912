"""The typed client of the upstream Job Training API, its models and its errors."""

from ftapp.upstream.client import UpstreamClient
from ftapp.upstream.errors import (
    JobLimitReached,
    NotConnected,
    NotFound,
    PermissionDenied,
    ProtocolError,
    Unauthorized,
    Unavailable,
    UpstreamError,
    ValidationFailed,
)
from ftapp.upstream.models import Deleted, Job, JobList, Model, Summary

__all__ = [
    "Deleted",
    "Job",
    "JobLimitReached",
    "JobList",
    "Model",
    "NotConnected",
    "NotFound",
    "PermissionDenied",
    "ProtocolError",
    "Summary",
    "Unauthorized",
    "Unavailable",
    "UpstreamClient",
    "UpstreamError",
    "ValidationFailed",
]

"""Create a job (``/jobs/new``): a three-step wizard whose draft lives in the browser."""

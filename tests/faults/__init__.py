"""Helpers of the process-level fault tests: real servers, real clusters, real clients."""

"""Cầu Nối — media monitoring and reporting for external-information work."""

__version__ = "0.1.0"

"""Lamina's Python runtime interface client: the Lambda Runtime API loop for python3.11.

Written from the Runtime API's contract (docs/lambda-contracts.md#runtime-api) and from what
AWS's own client (awslambdaric) does, because PyPI is not reachable here and awslambdaric is not
in Debian. Standard library only. docs/runtimes.md says what it supports and where it differs.
"""

"""A fake DNS for the resolver hook of caunoi.net.guard: names answer what the test says, so
private and metadata addresses can be named without any lookup leaving this machine."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from caunoi.net.guard import Refused


def fake_dns(answers: dict[str, list[str] | list[list[str]]]) -> Callable[[str, int], Awaitable[list[str]]]:
    """A resolver hook: host -> addresses; a list of lists answers differently on each call."""
    calls: dict[str, int] = {}

    async def resolve(host: str, port: int) -> list[str]:
        if host not in answers:
            raise Refused(f"cannot resolve host {host!r}: not in the fake DNS")
        answer = answers[host]
        n = calls.get(host, 0)
        calls[host] = n + 1
        if answer and isinstance(answer[0], list):
            return answer[min(n, len(answer) - 1)]  # type: ignore[return-value]
        return answer  # type: ignore[return-value]

    return resolve
